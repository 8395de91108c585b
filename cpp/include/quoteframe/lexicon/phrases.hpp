// Phrase matching on folded tokens: the one mechanism behind cue words,
// actor names, target aliases, frame patterns and evaluative lexicons.
//
// A Vocabulary interns every pattern word (exact forms and prefix-wildcard
// forms, one id space). For a document, Vocabulary::keys() computes once,
// per token, the ids of the pattern words that token matches (its exact
// form, every wildcard prefix of it, and the same for the token with a
// clitic stripped when the language has clitics). Tries built over the same
// vocabulary then match phrases by walking token keys, so any number of
// tries costs one hash pass over the document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quoteframe/text/document.hpp"

namespace quoteframe::lexicon {

// Open-addressing hash map from UTF-16 strings to dense ids 0..size()-1.
// Lookups take a string_view and never allocate.
class StringIds {
 public:
  int32_t find(std::u16string_view s) const noexcept;  // -1 when absent
  int32_t insert(std::u16string_view s);               // existing or new id
  std::size_t size() const noexcept { return strings_.size(); }
  const std::u16string& at(int32_t id) const { return strings_[static_cast<std::size_t>(id)]; }

 private:
  // A slot keeps the upper half of its string's hash next to the id, so a
  // probe that misses rarely reads the string.
  struct Slot {
    uint32_t tag = 0;
    int32_t id = -1;  // -1 empty
  };
  void grow();
  std::vector<std::u16string> strings_;
  std::vector<uint64_t> hashes_;
  std::vector<Slot> slots_;
};

// A clitic prefix: stripped from the front of a word, and replaced by
// `replacement` ("لل" -> "ال": the preposition fused with the article).
struct Clitic {
  std::u16string prefix;
  std::u16string replacement;
};

// Clitic entries as language files write them: "X" strips X, "X=Y"
// rewrites the prefix X to Y. `fold` folds one entry to its matching form.
std::vector<Clitic> parse_clitics(const std::vector<std::string>& entries);

// Per-token keys of one document (CSR layout: ids of token i are
// ids[offsets[i] .. offsets[i+1])).
struct Keys {
  std::vector<int32_t> offsets;
  std::vector<int32_t> ids;
  // Per token, the OR of the start bits of its keys (Vocabulary::start_bits):
  // a trie whose bit is clear cannot begin a phrase there. Filled by
  // Vocabulary::keys; when empty, tries check every token in full.
  std::vector<uint64_t> starts;
  std::size_t n_tokens() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
};

class Vocabulary;

// A per-thread memo of the keys of each distinct token form, for one or
// more (vocabulary, clitic list) pairs: a batch repeats most of its word
// forms, so the exact, prefix and clitic lookups of a form run once. Bounded:
// a table is cleared when it passes its caps. Not thread-safe (one per
// thread); it must not outlive the vocabularies it was used with. A
// vocabulary that changes (a word added, a trie's start marked) clears the
// memo's table for it on next use.
class KeyMemo {
 public:
  // Caps per table: about 4 MB of entries, 4 MB of form text, 4 MB of keys.
  static constexpr std::size_t kMaxForms = 1 << 17;     // distinct forms kept
  static constexpr std::size_t kMaxArena = 1 << 21;     // code units of form text kept
  static constexpr std::size_t kMaxIds = 1 << 20;       // keys kept, all forms together
  static constexpr std::size_t kMaxFormLength = 64;     // longer forms are not kept

 private:
  friend class Vocabulary;
  struct Entry {
    uint64_t hash;
    int32_t form, form_len;  // into `arena`
    int32_t ids, n_ids;      // into `ids`
    uint64_t starts;         // the OR of the keys' start bits
    bool word;               // clitics are stripped from words only
  };
  struct Table {
    const Vocabulary* vocab = nullptr;
    const void* clitics = nullptr;
    uint64_t vocab_version = 0;
    std::vector<Entry> entries;
    std::vector<int32_t> slots;
    std::u16string arena;
    std::vector<int32_t> ids;
    void clear();
    void grow();
  };
  Table& table(const Vocabulary& v, const void* clitics);
  std::vector<Table> tables_;
};

class Vocabulary {
 public:
  // The key id of a pattern word (inserted when new).
  int32_t add(const text::PatternToken& w);
  // The id of an exact word, or -1.
  int32_t find_exact(std::u16string_view form) const noexcept { return exact_.find(form); }
  // Fills `out` for `doc`. `clitics` (folded) are stripped, one or two deep,
  // to find further keys for a token ("ولزاخاروفا" -> "زاخاروفا").
  // `memo` (optional) remembers the keys of each form across documents.
  void keys(const text::Document& doc, const std::vector<Clitic>& clitics, Keys& out,
            KeyMemo* memo = nullptr) const;
  std::size_t size() const noexcept { return kinds_.size(); }
  // Bumped by every change that alters keys or start bits.
  uint64_t version() const noexcept { return version_; }

  // Start filters of the tries built over this vocabulary: each trie takes
  // one of 64 bits (tries past the 64th share bits, which only makes the
  // filter let more tokens through to the exact check), and a key carries
  // the bits of the tries that have a phrase beginning with it.
  uint64_t register_trie() noexcept { return uint64_t{1} << (n_tries_++ % 64); }
  void mark_start(int32_t key, uint64_t bit);
  uint64_t start_bits(int32_t key) const noexcept {
    return static_cast<std::size_t>(key) < start_bits_.size() ? start_bits_[static_cast<std::size_t>(key)] : 0;
  }

 private:
  void add_keys_of(std::u16string_view form, std::vector<int32_t>& out) const;
  void fill_starts(Keys& out) const;
  // Every key of one token: its form, then the form with one or two clitics
  // stripped when `clitics` applies; each key once, ascending when stripped.
  void token_keys(std::u16string_view form, bool word, const std::vector<Clitic>& clitics,
                  std::vector<int32_t>& out) const;
  StringIds exact_, prefix_;
  std::vector<int32_t> exact_key_, prefix_key_;  // StringIds id -> key id
  std::vector<uint8_t> kinds_;                   // key id -> 0 exact, 1 prefix
  std::vector<uint16_t> prefix_lengths_;         // the lengths wildcard prefixes have, ascending
  std::vector<uint64_t> start_bits_;             // key id -> bits of the tries it can begin
  uint32_t n_tries_ = 0;
  uint64_t version_ = 0;
};

// A trie of phrases over a Vocabulary's key ids. Each phrase carries an
// integer payload; a node can hold several payloads (the same words listed
// under two roles).
class Trie {
 public:
  struct Match {
    int32_t first = 0, last = 0;  // token range [first, last); empty when no match
    int32_t node = -1;
    bool found() const noexcept { return last > first; }
  };

  // Adds a phrase; its words are interned in `vocab` (always the same
  // vocabulary for one trie). Empty phrases are ignored.
  void add(Vocabulary& vocab, const std::vector<text::PatternToken>& words, int32_t payload);
  // The longest phrase starting at token `i`, not extending past `limit`.
  Match longest_at(const Keys& keys, int32_t i, int32_t limit) const;
  // Leftmost-longest, non-overlapping matches in [begin, end), appended to `out`.
  void find_all(const Keys& keys, int32_t begin, int32_t end, std::vector<Match>& out) const;
  const std::vector<int32_t>& payloads(int32_t node) const { return payloads_[static_cast<std::size_t>(node)]; }
  bool empty() const noexcept { return n_phrases_ == 0; }
  std::size_t n_phrases() const noexcept { return n_phrases_; }

 private:
  int32_t child(int32_t node, int32_t key) const noexcept;
  // Can a phrase begin at token `i`? The keys' start bits first, then the
  // exact set of first words.
  bool may_start(const Keys& keys, int32_t i) const noexcept;
  // longest_at without the checks.
  Match walk(const Keys& keys, int32_t i, int32_t limit) const;
  uint64_t bit_ = 0;  // this trie's start bit in its vocabulary
  // Edges (node, key) -> child in one open-addressing table (power-of-two
  // size, load at most one half, linear probing): one multiply and, almost
  // always, one cache line per step of a walk.
  struct Edge {
    uint64_t from = ~uint64_t{0};  // (node << 32) | key; all ones = empty
    int32_t to = -1;
  };
  static uint64_t edge_key(int32_t node, int32_t key) noexcept {
    return (static_cast<uint64_t>(static_cast<uint32_t>(node)) << 32) | static_cast<uint32_t>(key);
  }
  void grow_edges();
  std::vector<Edge> edges_;
  std::size_t n_edges_ = 0;
  std::vector<std::vector<int32_t>> payloads_{1};  // node 0 is the root
  std::vector<uint8_t> starts_;                    // key id -> can begin a phrase (a cheap filter)
  std::size_t n_phrases_ = 0;
};

}  // namespace quoteframe::lexicon
