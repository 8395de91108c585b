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
#include <unordered_map>
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
  void grow();
  std::vector<std::u16string> strings_;
  std::vector<uint64_t> hashes_;
  std::vector<int32_t> slots_;  // -1 empty, else id
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
  std::size_t n_tokens() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
};

class Vocabulary {
 public:
  // The key id of a pattern word (inserted when new).
  int32_t add(const text::PatternToken& w);
  // The id of an exact word, or -1.
  int32_t find_exact(std::u16string_view form) const noexcept { return exact_.find(form); }
  // Fills `out` for `doc`. `clitics` (folded) are stripped, one or two deep,
  // to find further keys for a token ("ولزاخاروفا" -> "زاخاروفا").
  void keys(const text::Document& doc, const std::vector<Clitic>& clitics, Keys& out) const;
  std::size_t size() const noexcept { return kinds_.size(); }

 private:
  void add_keys_of(std::u16string_view form, std::vector<int32_t>& out) const;
  StringIds exact_, prefix_;
  std::vector<int32_t> exact_key_, prefix_key_;  // StringIds id -> key id
  std::vector<uint8_t> kinds_;                   // key id -> 0 exact, 1 prefix
  std::vector<uint16_t> prefix_lengths_;         // the lengths wildcard prefixes have, ascending
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

  // Adds a phrase; its words are interned in `vocab`. Empty phrases are ignored.
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
  std::unordered_map<uint64_t, int32_t> edges_;
  std::vector<std::vector<int32_t>> payloads_{1};  // node 0 is the root
  std::vector<uint8_t> starts_;                    // key id -> can begin a phrase (a cheap filter)
  std::size_t n_phrases_ = 0;
};

}  // namespace quoteframe::lexicon
