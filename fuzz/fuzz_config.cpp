// libFuzzer target: the TOML reader and the three schemas on top of it
// (codebooks, language files, lexicon files). The first byte picks the
// schema; the rest is the file.
//
// Checked: every rejection is a ConfigError whose message starts with the
// source name and stays short enough to read; an accepted codebook compiles
// into an Extractor and a Scorer (patterns go through the text pipeline).
// Any other exception escapes and libFuzzer reports it as a crash.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "invariants.hpp"
#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/errors.hpp"
#include "quoteframe/quotes/extractor.hpp"
#include "quoteframe/scoring/lexicon.hpp"
#include "quoteframe/scoring/scorer.hpp"
#include "quoteframe/text/language.hpp"
#include "quoteframe/util/toml.hpp"

using namespace quoteframe;

namespace {

std::shared_ptr<const text::LanguageRegistry> languages() {
  static auto langs = std::make_shared<const text::LanguageRegistry>(
      text::LanguageRegistry::from_directory(std::string(QUOTEFRAME_DATA_DIR) + "/lang"));
  return langs;
}

std::shared_ptr<const scoring::LexiconRegistry> lexicons() {
  static auto lex = std::make_shared<const scoring::LexiconRegistry>(
      scoring::LexiconRegistry::from_directory(std::string(QUOTEFRAME_DATA_DIR) + "/lexicon"));
  return lex;
}

// A message names the source first and stays readable whatever the input.
void check_message(const ConfigError& e) {
  const std::string_view what = e.what();
  fuzz::require(what.substr(0, 6) == "fuzzed");
  fuzz::require(what.size() < 4096);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view toml(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 4) {
      case 0: util::parse_toml(toml, "fuzzed.toml"); break;
      case 1: {
        auto cb = std::make_shared<const codebook::Codebook>(codebook::parse_codebook(toml, "fuzzed.toml"));
        quotes::Extractor ex(languages(), cb);
        scoring::Scorer scorer(languages(), cb, lexicons());
        break;
      }
      case 2: text::parse_language(toml, "fuzzed.toml"); break;
      default: scoring::parse_lexicon(toml, "fuzzed.toml"); break;
    }
  } catch (const ConfigError& e) {
    check_message(e);
  }
  return 0;
}
