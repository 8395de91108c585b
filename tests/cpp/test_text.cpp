// The text layer: UTF-8, folding, language data, segmentation, offsets.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "quoteframe/errors.hpp"
#include "quoteframe/text/document.hpp"
#include "quoteframe/text/language.hpp"
#include "quoteframe/text/normalize.hpp"
#include "quoteframe/text/utf8.hpp"

using namespace quoteframe;
using namespace quoteframe::text;

namespace {

std::shared_ptr<const LanguageRegistry> shipped_languages() {
  static auto reg = std::make_shared<const LanguageRegistry>(
      LanguageRegistry::from_directory(std::string(QUOTEFRAME_DATA_DIR) + "/lang"));
  return reg;
}

std::string fold(const std::string& s) { return Folder::shared().fold_utf8(s); }

std::vector<std::string> words(const Document& d) {
  std::vector<std::string> out;
  for (const auto& t : d.tokens) out.push_back(d.slice(t.begin, t.end));
  return out;
}

std::vector<std::string> norms(const Document& d) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < d.tokens.size(); ++i) out.push_back(d.norm_utf8(i));
  return out;
}

}  // namespace

TEST_CASE("UTF-8 validation finds the first bad byte", "[text][utf8]") {
  struct Case { std::string bytes; std::size_t bad; };
  const Case cases[] = {
      {"", kNpos},
      {"plain ascii text, long enough for the fast path", kNpos},
      {"caf\xC3\xA9", kNpos},
      {"\xF0\x9F\x98\x80 emoji", kNpos},
      {"abc\xFF", 3},                       // never valid
      {"abc\xC3", 3},                       // truncated sequence at the end
      {"\xC0\xAF", 0},                      // overlong slash
      {"ab\xE0\x80\x80", 2},                // overlong 3-byte
      {"\xED\xA0\x80", 0},                  // a UTF-16 surrogate
      {"\xF4\x90\x80\x80", 0},              // above U+10FFFF
      {"12345678\x80", 8},                  // stray continuation after the fast path
  };
  for (const auto& c : cases) {
    INFO(c.bytes);
    CHECK(find_invalid_utf8(c.bytes) == c.bad);
  }
}

TEST_CASE("UTF-8 repair replaces each maximal subpart once", "[text][utf8]") {
  std::size_t n = 0;
  CHECK(repair_utf8("a\xFF" "b", &n) == "a\xEF\xBF\xBD" "b");
  CHECK(n == 1);
  // E2 82 is a truncated 3-byte sequence: one replacement, not two.
  CHECK(repair_utf8("x\xE2\x82y", &n) == "x\xEF\xBF\xBDy");
  CHECK(n == 1);
  CHECK(repair_utf8("\xC0\xAF", &n) == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(n == 2);
}

TEST_CASE("require_utf8 names the source and offset", "[text][utf8]") {
  try {
    require_utf8("ok\xFF", "doc.txt");
    FAIL("no exception");
  } catch (const InputError& e) {
    CHECK(e.byte_offset() == 2);
    CHECK(std::string(e.what()).find("doc.txt") != std::string::npos);
    CHECK(std::string(e.what()).find("byte offset 2") != std::string::npos);
  }
}

TEST_CASE("Folding for matching", "[text][normalize]") {
  struct Case { const char* in; const char* out; };
  const Case cases[] = {
      {"LÉGALITÉ", "légalité"},
      {"l\xE2\x80\x99Occident", "l'occident"},            // typographic apostrophe
      {"\xEF\xAC\x81n", "fin"},                           // ﬁ ligature (NFKC)
      {"\xEF\xBC\xA1\xEF\xBC\xA2", "ab"},                 // full-width letters
      {"e\xCC\x81t\xC3\xA9", "été"},                      // combining acute composes
      {"Stra\xC3\x9F" "e", "strasse"},                    // case folding of ß
      {"\xD0\x9E\xD0\x94\xD0\x9A\xD0\x91", "одкб"},       // ОДКБ
      {"a\xE2\x80\x8B" "b", "ab"},                        // zero-width space removed
      {"a\xE2\x80\x8F" "b", "ab"},                        // RLM removed
      {"\xC2\xAB", "\""},                                 // « unified
      {"\xE2\x80\x94", "-"},                              // em dash
      {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},           // emoji kept
      // Arabic: diacritics, tatweel, hamza forms, alef maqsura, teh marbuta
      {"\xD9\x82\xD9\x8E\xD8\xA7\xD9\x84\xD9\x8E", "\xD9\x82\xD8\xA7\xD9\x84"},  // قَالَ -> قال
      {"\xD8\xA3\xD8\xAD\xD9\x80\xD9\x80\xD9\x85\xD8\xAF", "\xD8\xA7\xD8\xAD\xD9\x85\xD8\xAF"},  // أحــمد -> احمد
      {"\xD9\x81\xD9\x89", "\xD9\x81\xD9\x8A"},           // فى -> في
      {"\xD9\x85\xD9\x86\xD8\xB8\xD9\x85\xD8\xA9", "\xD9\x85\xD9\x86\xD8\xB8\xD9\x85\xD9\x87"},  // منظمة -> منظمه
      {"\xDA\xA9\xDB\x8C", "\xD9\x83\xD9\x8A"},           // Persian keheh, yeh -> ك ي
      {"\xEF\xBB\xBB", "\xD9\x84\xD8\xA7"},               // lam-alef presentation form
  };
  for (const auto& c : cases) {
    INFO(c.in);
    CHECK(fold(c.in) == c.out);
  }
}

TEST_CASE("Whole-text normalisation keeps a map to the original", "[text][normalize]") {
  // "ﬁn" (3 code points) -> "fin": f and i both map to the ligature at 0.
  Normalized r = normalize_with_map("\xEF\xAC\x81n \xC3\x89T\xC3\x89");
  CHECK(r.text == "fin été");
  REQUIRE(r.to_orig.size() == 8);
  CHECK(r.to_orig[0] == 0);
  CHECK(r.to_orig[1] == 0);
  CHECK(r.to_orig[2] == 1);
  CHECK(r.to_orig[4] == 3);
  CHECK(r.to_orig.back() == 6);
  // A deleted tatweel leaves no output but shifts nothing after it.
  Normalized a = normalize_with_map("\xD9\x80\xD9\x85");
  CHECK(a.to_orig.size() == 2);
  CHECK(a.to_orig[0] == 1);
}

TEST_CASE("Language data loads and is validated", "[text][language]") {
  auto reg = shipped_languages();
  for (const char* code : {"fr", "ar"}) {
    INFO(code);
    const LanguageData* l = reg->find(code);
    REQUIRE(l != nullptr);
    CHECK(!l->speech_verbs.empty());
    CHECK(!l->function_words.empty());
  }
  CHECK_THROWS_AS(parse_language("[language]\ncode = \"xx\"\nscript = \"latin\"\ncolour = 1\n", "x.toml"),
                  ConfigError);
  try {
    parse_language("[language]\ncode = \"xx\"\nscript = \"latin\"\n[quotes]\nspeech_verbs = 3\n", "x.toml");
    FAIL("no exception");
  } catch (const ConfigError& e) {
    CHECK(e.line() == 5);
    CHECK(e.field() == "quotes.speech_verbs");
  }
  CHECK_THROWS_AS(parse_language("[language]\ncode = \"xx\"\nscript = \"klingon\"\n", "x.toml"), ConfigError);
}

TEST_CASE("Language identification", "[text][language]") {
  auto reg = shipped_languages();
  auto detect = [&](const std::string& s) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
    return detect_language(std::u16string_view(reinterpret_cast<const char16_t*>(u.getBuffer()),
                                               static_cast<std::size_t>(u.length())),
                           *reg);
  };
  CHECK(detect("Le gouvernement a annoncé que les troupes quitteraient le pays dans les deux jours.") == "fr");
  CHECK(detect("وقال الرئيس إن القوات ستغادر البلاد في غضون يومين بعد استقرار الوضع") == "ar");
  CHECK(detect("ok") == "und");
  CHECK(detect("12345 67890 !!!") == "und");
}

TEST_CASE("French segmentation: elision, hyphens, abbreviations", "[text][segment]") {
  Pipeline p(shipped_languages());
  Document d = p.process("t", "Titre\nM. Dupont a déclaré qu\xE2\x80\x99" "elles partiront. Mme Durand l'a-t-elle dit ? Oui.", "fr");
  REQUIRE(d.paragraphs.size() == 2);
  CHECK(d.has_headline);
  const auto w = words(d);
  const auto n = norms(d);
  // "qu’elles" splits into the clitic and its host.
  auto it = std::find(w.begin(), w.end(), "qu\xE2\x80\x99");
  REQUIRE(it != w.end());
  CHECK(*(it + 1) == "elles");
  CHECK(n[static_cast<std::size_t>(it - w.begin())] == "qu'");
  CHECK(std::find(w.begin(), w.end(), "l'") != w.end());
  // Sentences: the headline, then two in the paragraph: no break after "M." or "Mme".
  REQUIRE(d.sentences.size() == 4);
  CHECK(d.slice(d.sentences[1].begin, d.sentences[1].end) ==
        "M. Dupont a déclaré qu\xE2\x80\x99" "elles partiront.");
  CHECK(d.slice(d.sentences[2].begin, d.sentences[2].end) == "Mme Durand l'a-t-elle dit ?");
}

TEST_CASE("Russian and English abbreviations without language files keep ICU's breaks", "[text][segment]") {
  Pipeline p(shipped_languages());
  // An initial never ends a sentence, in any language.
  Document d = p.process("t", "x\nJ. Smith said so. Then he left.", "en");
  REQUIRE(d.sentences.size() == 3);
  CHECK(d.slice(d.sentences[1].begin, d.sentences[1].end) == "J. Smith said so.");
}

TEST_CASE("Offsets are code points of the original text", "[text][offsets]") {
  Pipeline p(shipped_languages());
  // An emoji (a surrogate pair in UTF-16) before words shifts UTF-16 but not code points.
  Document d = p.process("t", "\xF0\x9F\x98\x80 abc \xF0\x9F\x87\xAB\xF0\x9F\x87\xB7 d\xC3\xA9" "f", "fr");
  REQUIRE(d.tokens.size() == 4);
  CHECK(d.cp(d.tokens[0].begin) == 0);
  CHECK(d.cp(d.tokens[0].end) == 1);
  CHECK(d.cp(d.tokens[1].begin) == 2);
  CHECK(d.cp(d.tokens[1].end) == 5);
  CHECK(d.tokens[2].kind == TokenKind::Symbol);  // a flag: two regional indicators, one token
  CHECK(d.cp(d.tokens[2].end) - d.cp(d.tokens[2].begin) == 2);
  CHECK(d.cp(d.tokens[3].begin) == 9);
  CHECK(d.n_code_points() == 12);
}

TEST_CASE("Edge cases: empty, whitespace, controls, bidi, mixed scripts", "[text][segment]") {
  Pipeline p(shipped_languages());
  struct Case { std::string in; std::size_t n_tokens; };
  const Case cases[] = {
      {"", 0},
      {"   \n\n\t ", 0},
      {"\xE2\x80\x8F\xE2\x80\x8E\xE2\x80\x8B", 0},  // only bidi marks and ZWSP
      {"a\x01" "b", 2},                                // control character separates
      {"\xC2\xAB\xC2\xAB\xC2\xAB", 3},                // unbalanced quote marks are tokens
      {"Путин said \xD9\x82\xD8\xA7\xD9\x84 oui", 4},  // mixed scripts
      {"e\xCC\x81" "cole", 1},                         // combining mark stays in the word
  };
  for (const auto& c : cases) {
    INFO(c.in);
    Document d = p.process("t", c.in, "fr");
    CHECK(d.tokens.size() == c.n_tokens);
    for (const auto& t : d.tokens) CHECK(t.begin < t.end);
  }
  CHECK_THROWS_AS(p.process("bad.txt", "ok\xFF", "fr"), InputError);
}

TEST_CASE("Arabic and Russian segmentation", "[text][segment]") {
  Pipeline p(shipped_languages());
  Document ar = p.process("a", "عنوان\nوقالت زاخاروفا إن العملية ناجحة. وأضافت أنها انتهت.", "ar");
  REQUIRE(ar.sentences.size() == 3);
  CHECK(norms(ar)[1] == "وقالت");
  CHECK(norms(ar)[3] == "ان");
  Document ru = p.process("r", "Заголовок\n«Всё прошло успешно», — сказал он. В 2022 г. миссия завершилась.", "ru");
  bool has_dash = false;
  for (std::size_t i = 0; i < ru.tokens.size(); ++i) has_dash |= ru.norm_utf8(i) == "-";
  CHECK(has_dash);
}
