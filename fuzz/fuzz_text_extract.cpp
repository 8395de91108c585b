// libFuzzer target: arbitrary bytes through the text pipeline and the quote
// extractor. The first byte picks the language mode (detect, fr, ar, en, ru,
// an unknown code); the rest is the document.
//
// Checked: invalid UTF-8 is an InputError at exactly the first bad byte;
// the repaired text then processes; every token, sentence, paragraph and
// quote span lies inside the text, in order, without cutting a surrogate
// pair; parents contain their children. Crashes, sanitizer reports and
// trap()s are findings; libFuzzer's -timeout catches hangs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "invariants.hpp"
#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/errors.hpp"
#include "quoteframe/quotes/extractor.hpp"
#include "quoteframe/text/document.hpp"
#include "quoteframe/text/language.hpp"
#include "quoteframe/text/utf8.hpp"

using namespace quoteframe;

namespace {

struct World {
  std::shared_ptr<const text::LanguageRegistry> langs = std::make_shared<const text::LanguageRegistry>(
      text::LanguageRegistry::from_directory(std::string(QUOTEFRAME_DATA_DIR) + "/lang"));
  std::shared_ptr<const codebook::Codebook> cb = std::make_shared<const codebook::Codebook>(
      codebook::load_codebook(std::string(QUOTEFRAME_CODEBOOK_DIR) + "/csto-kazakhstan-2022.toml"));
  quotes::Extractor extractor{langs, cb};
  text::Pipeline pipe{langs};
};

World& world() {
  static World w;
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static const char* const kLangs[] = {"", "fr", "ar", "en", "ru", "zz"};
  World& w = world();
  const std::string lang = size > 0 ? kLangs[data[0] % 6] : "";
  std::string text = size > 0 ? std::string(reinterpret_cast<const char*>(data) + 1, size - 1) : std::string();

  const std::size_t bad = text::find_invalid_utf8(text);
  if (bad != text::kNpos) {
    bool thrown = false;
    try {
      w.pipe.process("fuzz", text, lang);
    } catch (const InputError& e) {
      thrown = true;
      fuzz::require(e.byte_offset() == bad);
    }
    fuzz::require(thrown);
    std::size_t replaced = 0;
    text = text::repair_utf8(text, &replaced);
    fuzz::require(replaced > 0 && text::find_invalid_utf8(text) == text::kNpos);
  }
  const text::Document d = w.pipe.process("fuzz", text, lang);
  fuzz::check_document(d);
  fuzz::check_quotes(d, w.extractor.extract(d), w.cb->actors.size());
  return 0;
}
