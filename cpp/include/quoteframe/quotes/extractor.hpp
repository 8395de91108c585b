// Quote extraction and attribution.
//
// Finds direct quotes (quotation marks of every tradition, and dialogue
// dashes), indirect quotes (reported speech: "X a déclaré que ...",
// "Selon X, ...", "..., X said.", "قال X إن ...", "По словам X, ...") and
// mixed quotes (reported speech holding quoted fragments), and attributes each
// to a speaker: a named actor of the codebook, an unknown named person, or a
// pronoun, role noun or the context resolved to an earlier speaker.
//
// All language knowledge (cue verbs, complementizers, pronouns, role nouns,
// relay phrases) comes from the LanguageData files; all actors and media from
// the codebook. The C++ here only knows the shapes of reported speech.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/lexicon/phrases.hpp"
#include "quoteframe/text/document.hpp"
#include "quoteframe/text/language.hpp"

namespace quoteframe::quotes {

enum class QuoteType : uint8_t { Direct = 0, Indirect = 1, Mixed = 2 };
enum class Attribution : uint8_t { Explicit = 0, Pronoun = 1, Role = 2, Context = 3, None = 4 };

const char* type_name(QuoteType t);
const char* attribution_name(Attribution a);

struct Quote {
  int32_t begin = 0, end = 0;             // content span, UTF-16 offsets in the document
  QuoteType type = QuoteType::Direct;
  int32_t parent = -1;                    // index of the enclosing quote in the result, or -1
  int32_t cue_begin = -1, cue_end = -1;   // the reporting expression, or -1
  int32_t speaker_begin = -1, speaker_end = -1;  // the mention that names the speaker, or -1
  std::string speaker;                    // resolved name (actor label or the name as written)
  int32_t actor = -1;                     // index into Codebook::actors, or -1
  std::string source;                     // relaying media, ";"-joined ids (or names as written)
  Attribution attribution = Attribution::None;
  float confidence = 0.f;
  int32_t paragraph = 0, sentence = 0;    // where the quote starts
  bool unclosed = false;                  // a direct quote whose closing mark never came
};

// Compiled rules for every language of a registry plus the actors and media
// of a codebook. Immutable after construction: extract() is const and
// thread-safe, so one Extractor serves every thread.
class Extractor {
 public:
  // Both must be non-null; the extractor keeps them alive. `vocab`, when
  // given, is shared with other matchers (a Scorer) so a document's keys are
  // computed once; it must not change once documents are processed.
  Extractor(std::shared_ptr<const text::LanguageRegistry> langs,
            std::shared_ptr<const codebook::Codebook> codebook,
            std::shared_ptr<lexicon::Vocabulary> vocab = nullptr);
  ~Extractor();

  // The quotes of `doc`, sorted by start offset, parents before children.
  std::vector<Quote> extract(const text::Document& doc) const;
  // The same with the document's keys already computed (keys(doc, ...)).
  std::vector<Quote> extract(const text::Document& doc, const lexicon::Keys& keys) const;
  // The document's keys in this extractor's vocabulary.
  void keys(const text::Document& doc, lexicon::Keys& out) const;

  // Every mention of a codebook actor (by name or by a role phrase naming it
  // alone) or medium in `doc`, leftmost-longest, in text order.
  struct EntityMention {
    int32_t begin = 0, end = 0;  // UTF-16 span
    int32_t index = -1;          // into Codebook::actors or Codebook::media
    bool medium = false;
    bool description = false;    // matched a role phrase, not a name
  };
  std::vector<EntityMention> mentions(const text::Document& doc) const;

  const codebook::Codebook& codebook() const noexcept { return *codebook_; }
  const lexicon::Vocabulary& vocabulary() const noexcept { return *vocab_; }

  struct LangRules;  // compiled per-language tries (defined in the .cpp)

 private:
  std::shared_ptr<const text::LanguageRegistry> langs_;
  std::shared_ptr<const codebook::Codebook> codebook_;
  std::shared_ptr<lexicon::Vocabulary> vocab_;
  lexicon::Trie actors_;  // payload: actor index, + kDescription for role phrases
  lexicon::Trie media_;   // payload: medium index
  std::vector<std::unique_ptr<LangRules>> rules_;
  std::vector<std::string> rule_codes_;
  std::vector<std::vector<int32_t>> actor_roles_;  // actor -> role ids
  std::vector<std::string> role_names_;
  const LangRules* rules_for(const std::string& code) const;
};

}  // namespace quoteframe::quotes
