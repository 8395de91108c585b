// Documents, tokens and sentences, and the pipeline that makes them.
//
// Inside the core all offsets are UTF-16 code-unit offsets into
// Document::u16 (ICU works in UTF-16; converting once per document is the
// cheapest route, see shared/PERFORMANCE.md). Users see half-open code-point
// offsets of the original text: Document::cp() converts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unicode/unistr.h>

#include "quoteframe/text/language.hpp"
#include "quoteframe/text/normalize.hpp"

U_NAMESPACE_BEGIN
class BreakIterator;
U_NAMESPACE_END

namespace quoteframe::text {

enum class TokenKind : uint8_t { Word = 0, Number = 1, Punct = 2, Symbol = 3 };

// Token flags (bit set).
enum TokenFlag : uint8_t {
  kCapitalized = 1,  // first letter upper or title case
  kAllCaps = 2,      // every letter upper case, at least two letters
  kElided = 4,       // an elided clitic split off its host ("l'" of "l'OTSC")
  kSpaceBefore = 8,  // white space (or the paragraph start) right before
  kSpaceAfter = 16,  // white space (or the paragraph end) right after
};

struct Token {
  int32_t begin = 0, end = 0;        // UTF-16 span in Document::u16
  int32_t norm_begin = 0, norm_len = 0;  // folded form in Document::norms (UTF-16)
  int32_t sentence = 0;              // index into Document::sentences
  TokenKind kind = TokenKind::Word;
  uint8_t flags = 0;
};

struct Span {
  int32_t begin = 0, end = 0;  // UTF-16, half-open
};

struct Sentence {
  int32_t begin = 0, end = 0;            // UTF-16 span, trailing white space excluded
  int32_t paragraph = 0;                 // index into Document::paragraphs
  int32_t first_token = 0, last_token = 0;  // token range [first, last)
};

struct Paragraph {
  int32_t begin = 0, end = 0;  // UTF-16 span of the line, without its line break
  int32_t first_sentence = 0, last_sentence = 0;
};

// One word of a pattern: its folded form, and whether it was written with
// a trailing '*' (then it matches every token that starts with `form`).
struct PatternToken {
  std::u16string form;
  bool prefix = false;
};

class Document {
 public:
  std::string id;
  std::string path;
  std::string lang;          // the language used for processing
  bool lang_detected = false;
  std::string text;          // the original UTF-8 text (valid UTF-8)
  icu::UnicodeString u16;    // the same text in UTF-16
  std::u16string norms;      // all folded token forms, back to back
  std::vector<Token> tokens;
  std::vector<Sentence> sentences;
  std::vector<Paragraph> paragraphs;  // non-empty lines; the first line is the headline
  bool has_headline = false;          // true when the first line is non-empty

  // Code-point offset of UTF-16 offset `u` (0 <= u <= u16.length()).
  int32_t cp(int32_t u) const noexcept {
    return cp_index_.empty() ? u : cp_index_[static_cast<std::size_t>(u)];
  }
  int32_t n_code_points() const noexcept { return cp(u16.length()); }
  // The folded form of token `i`.
  std::u16string_view norm(std::size_t i) const noexcept {
    const Token& t = tokens[i];
    return std::u16string_view(norms.data() + t.norm_begin, static_cast<std::size_t>(t.norm_len));
  }
  std::string norm_utf8(std::size_t i) const;
  // The original text of a UTF-16 span, as UTF-8.
  std::string slice(int32_t begin, int32_t end) const;
  char16_t at(int32_t u) const noexcept { return u16.charAt(u); }

 private:
  friend class Pipeline;
  std::vector<int32_t> cp_index_;  // empty when the text has no surrogate pairs
};

// Turns text into Documents. Holds ICU break iterators (created once per
// language and reused: creating one costs microseconds to milliseconds), so
// a Pipeline is NOT thread-safe: use one per thread. The registry is shared
// read-only and must outlive the pipeline.
class Pipeline {
 public:
  explicit Pipeline(std::shared_ptr<const LanguageRegistry> langs);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Builds a document. `utf8` must be valid UTF-8 (InputError otherwise,
  // naming `id`). `lang` empty means detect; an unknown language code is
  // processed with root-locale rules and no language data.
  Document process(std::string id, std::string utf8, const std::string& lang = "") ;

  // Tokenises a short string (a pattern, a lexicon entry) exactly as text is
  // tokenised, returning the folded forms of its tokens; a '*' written right
  // after a word makes that word a prefix wildcard (and is not a token).
  std::vector<PatternToken> tokenize_pattern(std::string_view utf8, const std::string& lang);

  const LanguageRegistry& languages() const noexcept { return *langs_; }

 private:
  struct Impl;
  std::shared_ptr<const LanguageRegistry> langs_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quoteframe::text
