// General evaluative lexicons and modifier lists, one TOML file per language
// (python/quoteframe/data/lexicon/<code>.toml): prior polarity of words and
// the words that modify it in context (negators, intensifiers, hedges, ...).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quoteframe/codebook/codebook.hpp"

namespace quoteframe::scoring {

struct LexiconData {
  std::string language;  // ISO 639-1 code
  std::string source;    // file, for messages
  std::vector<codebook::Pattern> positive, negative;  // weight = strength
  std::vector<std::string> negators, intensifiers, diminishers, hedges, distancing, contrast,
      counterfactual, shifters, situational, directives, continuations;
};

// Parses one lexicon file; ConfigError (file:line: field: problem) on an
// unknown key, a wrong type, an empty pattern or a strength outside (0, 10].
LexiconData parse_lexicon(std::string_view toml_text, const std::string& source);
LexiconData load_lexicon(const std::string& path);

// The lexicons of a folder ("*.toml"), by language code. Read-only once built.
class LexiconRegistry {
 public:
  static LexiconRegistry from_directory(const std::string& dir);
  void add(LexiconData data);
  const LexiconData* find(std::string_view code) const noexcept;
  std::vector<std::string> codes() const;

 private:
  std::map<std::string, std::shared_ptr<const LexiconData>, std::less<>> lex_;
};

}  // namespace quoteframe::scoring
