// Language data: what the core knows about a language, loaded from the
// commented TOML files in python/quoteframe/data/lang/ (an analyst adds a
// language by writing such a file; no C++ changes).
//
// Strings in these lists are surface forms as a person writes them; users of
// the lists fold them (normalize.hpp) and tokenise them like text before
// matching, so "qu'", "qu’" and "QU'" are the same entry.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace quoteframe::text {

struct LanguageData {
  std::string code;        // ISO 639-1: "fr", "ar", "en", "ru"
  std::string name;        // "French"
  std::string script;      // "latin", "arabic", "cyrillic"
  std::string icu_locale;  // locale for ICU break iterators ("fr", "ar", ...)
  std::string source;      // file it came from (for error messages)

  // [text]
  std::vector<std::string> abbreviations;   // words after which "." ends no sentence
  std::vector<std::string> elisions;        // clitics split off before an apostrophe (l, d, qu)
  std::vector<std::string> function_words;  // frequent words, for language identification

  // [quotes] -- reporting-speech knowledge, used by the quote extractor.
  std::vector<std::string> speech_verbs;          // finite/participle forms that report speech
  std::vector<std::string> speech_verbs_female;   // forms whose morphology marks a female subject
  std::vector<std::string> speech_verbs_male;     // forms whose morphology marks a male subject
  std::vector<std::string> speech_verbs_plural;   // forms whose morphology marks a plural subject
  std::vector<std::string> object_verbs;          // speech verbs taking the content as object (no complementizer)
  std::vector<std::string> participle_cues;       // "affirmant", "saying", "قائلا": speaker = main-clause subject
  std::vector<std::string> auxiliaries;           // words a compound cue extends over ("a", "has", "قد")
  std::vector<std::string> complementizers;       // introduce the reported clause ("que", "that", "что", "ان")
  std::vector<std::string> fused_complementizers; // complementizer+pronoun in one word ("انها"): content starts at it
  std::vector<std::string> complementizer_blockers; // words that make a following complementizer a conjunction or relative ("ce que", "so that")
  std::vector<std::string> according_to;          // "selon", "according to", "по словам", "وفقا ل"
  std::vector<std::string> relative_cues;         // "selon laquelle": a statement of X, content follows
  std::vector<std::string> source_cues;           // "cité par", "citing", "сообщает": relaying media
  std::vector<std::string> source_cues_female;    // relay phrases whose pronoun marks a female speaker ("نقلت عنها")
  std::vector<std::string> source_cues_male;      // ... a male speaker ("نقلت عنه")
  bool subject_after_verb = false;                // verb-initial reporting clauses ("قال الرئيس إن") are the norm
  bool zero_complementizer = false;               // "X said the strike was over": a clause may follow the verb directly
  std::vector<std::string> clitic_prefixes;       // stripped before matching cue words ("و", "ف")
  std::vector<std::string> pronouns_female, pronouns_male, pronouns_plural;
  std::vector<std::string> speech_nouns;          // "déclaration", "statement": carry relative cues
  std::map<std::string, std::vector<std::string>> roles;  // role id -> role nouns
};

// Parses one language file. Throws ConfigError (file:line: field: problem)
// on any unknown key, wrong type or missing required key.
LanguageData parse_language(std::string_view toml_text, const std::string& source);
LanguageData load_language(const std::string& path);

// The languages known to a pipeline, by code.
class LanguageRegistry {
 public:
  // Loads every "*.toml" in `dir`. Throws ConfigError on a malformed file.
  static LanguageRegistry from_directory(const std::string& dir);
  void add(LanguageData data);
  const LanguageData* find(std::string_view code) const noexcept;  // nullptr if unknown
  std::vector<std::string> codes() const;

  // Function words of every language, lower-cased, with a bit per language
  // (bit i = codes()[i]); built by add(), used by detect_language().
  const std::unordered_map<std::u16string, uint32_t>& function_words() const noexcept { return function_words_; }

 private:
  std::map<std::string, std::shared_ptr<const LanguageData>, std::less<>> langs_;
  std::unordered_map<std::u16string, uint32_t> function_words_;
  void index_function_words();
};

// Language identification among the registered languages: script shares of
// the letters in the first 2,000 code units of `text`, then function-word
// hits among languages of the winning script, read within the same 2,000
// code units until one language has 12 hits and three times the
// runner-up's. Returns "und" when there are fewer than 20 letters or no
// language wins clearly (3 hits and 1.5 times the runner-up's).
std::string detect_language(std::u16string_view text, const LanguageRegistry& langs);

}  // namespace quoteframe::text
