// Robustness of the text layer, the quote extractor and the batch analyzer on
// hostile input: every input either yields a document whose spans stay inside
// its text, or a clean InputError (an error row in a batch), in bounded time.
//
// The hidden test "[.scaling]" at the end is not a check by itself: the
// Python suite (tests/python/test_robustness.py) runs it under callgrind to
// count the instructions of the same work at two input sizes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/errors.hpp"
#include "quoteframe/lexicon/phrases.hpp"
#include "quoteframe/pipeline/analyzer.hpp"
#include "quoteframe/quotes/extractor.hpp"
#include "quoteframe/scoring/lexicon.hpp"
#include "quoteframe/text/document.hpp"
#include "quoteframe/text/language.hpp"
#include "quoteframe/text/utf8.hpp"

#include <unicode/utf16.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define QF_HAVE_CALLGRIND 1
#endif
#endif
#ifndef QF_HAVE_CALLGRIND
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(label) (void)(label)
#endif

using namespace quoteframe;

namespace {

// Sanitized and unoptimised builds are many times slower: the big inputs
// shrink there (the Python suite runs them at full size on a release build).
#if defined(__SANITIZE_ADDRESS__) || !defined(NDEBUG)
constexpr std::size_t kScale = 8;
#else
constexpr std::size_t kScale = 1;
#endif

// A string literal with its embedded NULs.
template <std::size_t N>
std::string lit(const char (&s)[N]) {
  return std::string(s, N - 1);
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

struct Shared {
  std::shared_ptr<const text::LanguageRegistry> langs = std::make_shared<const text::LanguageRegistry>(
      text::LanguageRegistry::from_directory(std::string(QUOTEFRAME_DATA_DIR) + "/lang"));
  std::shared_ptr<const codebook::Codebook> cb = std::make_shared<const codebook::Codebook>(
      codebook::load_codebook(std::string(QUOTEFRAME_CODEBOOK_DIR) + "/csto-kazakhstan-2022.toml"));
  std::shared_ptr<const scoring::LexiconRegistry> lex = std::make_shared<const scoring::LexiconRegistry>(
      scoring::LexiconRegistry::from_directory(std::string(QUOTEFRAME_DATA_DIR) + "/lexicon"));
  quotes::Extractor extractor{langs, cb};
};

// Built once: compiling the shipped codebook and languages is the slow part.
Shared& shared() {
  static Shared s;
  return s;
}

// True when UTF-16 offset `u` falls between the halves of a surrogate pair.
bool splits_pair(const text::Document& d, int32_t u) {
  return u > 0 && u < d.u16.length() && U16_IS_LEAD(d.at(u - 1)) && U16_IS_TRAIL(d.at(u));
}

// Everything a caller may rely on about a document, checked from scratch.
// Returns the first violation, or "" (one REQUIRE per document: Catch2
// assertions are too slow to spend one per token).
std::string document_problem(const text::Document& d) {
  const int32_t n = d.u16.length();
  if (d.n_code_points() != static_cast<int32_t>(text::count_code_points(d.text))) return "code point count";
  for (int32_t u = 1; u <= n; ++u)
    if (d.cp(u - 1) > d.cp(u)) return "cp() not monotonic at " + std::to_string(u);
  int32_t prev_end = 0;
  for (std::size_t i = 0; i < d.tokens.size(); ++i) {
    const text::Token& t = d.tokens[i];
    const std::string where = "token " + std::to_string(i) + ": ";
    if (t.begin < 0 || t.begin >= t.end || t.end > n) return where + "span outside the text";
    if (t.begin < prev_end) return where + "overlaps the previous token";
    if (splits_pair(d, t.begin) || splits_pair(d, t.end)) return where + "cuts a surrogate pair";
    prev_end = t.end;
    if (t.norm_begin < 0 || t.norm_len < 0 ||
        static_cast<std::size_t>(t.norm_begin) + static_cast<std::size_t>(t.norm_len) > d.norms.size())
      return where + "norm outside Document::norms";
    if (t.sentence < 0 || static_cast<std::size_t>(t.sentence) >= std::max<std::size_t>(d.sentences.size(), 1))
      return where + "sentence index out of range";
  }
  for (std::size_t i = 0; i < d.paragraphs.size(); ++i) {
    const text::Paragraph& p = d.paragraphs[i];
    const std::string where = "paragraph " + std::to_string(i) + ": ";
    if (p.begin < 0 || p.begin >= p.end || p.end > n) return where + "span outside the text";
    if (i > 0 && d.paragraphs[i - 1].end >= p.begin) return where + "overlaps the previous paragraph";
    if (p.first_sentence > p.last_sentence) return where + "sentence range reversed";
  }
  for (std::size_t i = 0; i < d.sentences.size(); ++i) {
    const text::Sentence& s = d.sentences[i];
    const std::string where = "sentence " + std::to_string(i) + ": ";
    if (s.begin < 0 || s.begin > s.end || s.end > n) return where + "span outside the text";
    if (s.first_token >= s.last_token || static_cast<std::size_t>(s.last_token) > d.tokens.size())
      return where + "token range";
    if (s.paragraph < 0 || static_cast<std::size_t>(s.paragraph) >= d.paragraphs.size()) return where + "paragraph index";
  }
  return "";
}

bool bad_span(int32_t b, int32_t e, int32_t n) {
  if (b < 0) return e >= 0;
  return b > e || e > n;
}

std::string quotes_problem(const text::Document& d, const std::vector<quotes::Quote>& qs) {
  const int32_t n = d.u16.length();
  for (std::size_t i = 0; i < qs.size(); ++i) {
    const quotes::Quote& q = qs[i];
    const std::string where = "quote " + std::to_string(i) + ": ";
    if (q.begin < 0 || q.begin >= q.end || q.end > n) return where + "span outside the text";
    if (splits_pair(d, q.begin) || splits_pair(d, q.end)) return where + "cuts a surrogate pair";
    if (i > 0 && qs[i - 1].begin > q.begin) return where + "out of order";
    if (bad_span(q.cue_begin, q.cue_end, n)) return where + "cue span";
    if (bad_span(q.speaker_begin, q.speaker_end, n)) return where + "speaker span";
    if (q.parent >= static_cast<int32_t>(i)) return where + "parent after its child";
    if (q.parent >= 0) {
      const quotes::Quote& p = qs[static_cast<std::size_t>(q.parent)];
      if (p.begin > q.begin || q.end > p.end) return where + "parent does not contain it";
    }
    if (q.actor >= static_cast<int32_t>(shared().cb->actors.size())) return where + "actor index";
    if (q.paragraph < 0 || static_cast<std::size_t>(q.paragraph) >= d.paragraphs.size()) return where + "paragraph";
    if (q.sentence < 0 || static_cast<std::size_t>(q.sentence) >= d.sentences.size()) return where + "sentence";
    if (!(q.confidence >= 0.f && q.confidence <= 1.f)) return where + "confidence outside [0, 1]";
  }
  return "";
}

// Processes `s` in every language mode and checks document and quotes.
void run_everywhere(const std::string& s) {
  text::Pipeline pipe(shared().langs);
  for (const char* lang : {"", "fr", "ar", "en", "ru", "zz"}) {
    INFO("lang=" << lang << " bytes=" << s.size());
    const text::Document d = pipe.process("hostile", s, lang);
    REQUIRE(document_problem(d) == "");
    REQUIRE(quotes_problem(d, shared().extractor.extract(d)) == "");
  }
}

// Named hostile texts (valid UTF-8).
std::vector<std::pair<std::string, std::string>> hostile_texts() {
  const std::size_t big = 100'000 / kScale;
  return {
      {"empty", ""},
      {"white space only", " \t\n\r\n\u00A0\u2003\n\n"},
      {"line breaks of every kind", "a\rb\nc\r\nd\u2028e\u2029f\u0085g\vh\fi"},
      {"NUL bytes", lit("Titre\n\0Le ministre a d\xC3\xA9" "clar\xC3\xA9 que\0 non.\0")},
      {"only NUL bytes", std::string(1000, '\0')},
      {"UTF-8 BOM", "\xEF\xBB\xBFTitre\n\xC2\xAB Non \xC2\xBB, a dit Jean Dupont."},
      {"BOM in the middle", "Titre\nLe\xEF\xBB\xBFministre a dit \xC2\xAB\xEF\xBB\xBF non \xC2\xBB."},
      {"CRLF", "Titre\r\n\xC2\xAB Non \xC2\xBB, a dit Jean Dupont.\r\nLe ministre a dit que oui.\r\n"},
      {"only punctuation", repeat("!?.,;:\xC2\xAB\xC2\xBB\xE2\x80\x9C\xE2\x80\x9D\"'-\xE2\x80\x94()[]", 2000)},
      {"only quote marks", repeat("\"\xC2\xAB\xC2\xBB\xE2\x80\x9E\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\x98\xE2\x80\x99'", 1000 / kScale)},
      {"unclosed guillemets", "Titre\n" + repeat("\xC2\xAB ", big)},
      {"paired ASCII quotes", "Titre\n" + repeat("\"a \"b \"c ", 2000 / kScale)},
      {"unclosed curly then wrong closers", "Titre\n" + repeat("\xE2\x80\x9C" "a ", 3000 / kScale) + repeat("\xC2\xBB ", 3000 / kScale)},
      {"nested quotes", "Titre\n" + repeat("\xC2\xAB ", 2000 / kScale) + "mot " + repeat("\xC2\xBB ", 2000 / kScale)},
      {"quote reopened on every paragraph", "Titre\n" + repeat("\xC2\xAB Encore un paragraphe, a dit Jean.\n", 2000 / kScale)},
      {"dialogue dashes", "Titre\n" + repeat("\xE2\x80\x94 Oui, dit-il. \xE2\x80\x94 Non, r\xC3\xA9pondit-elle.\n", 2000 / kScale)},
      {"apostrophes", "Titre\n" + repeat("l'", big / 2) + "x " + repeat("'a' \xE2\x80\x99" "b\xE2\x80\x99 ", 1000 / kScale)},
      {"hyphen chains", "Titre\n" + repeat("a-t-il-", big / 7) + " dit-il"},
      {"many commas", "Titre\nIl a dit que " + repeat("a, ", big / 3)},
      {"long sentence without punctuation", "Titre\nLe ministre a d\xC3\xA9" "clar\xC3\xA9 que " + repeat("mot ", big / 4)},
      {"reporting verbs only", "Titre\n" + repeat("a dit que selon ", big / 16)},
      {"a 2 MB word", "Titre\n" + std::string(2'000'000 / kScale, 'a')},
      {"a long capitalised name", "Titre\n" + repeat("Jean ", big / 5) + "a dit que non."},
      {"stacked combining marks", "Titre\na" + repeat("\xCC\x81", 20'000 / kScale) + " dit"},
      {"bidi controls", "Titre\n\xE2\x80\xAE\xD9\x82\xD8\xA7\xD9\x84 \xE2\x80\x8F\"\xD9\x84\xD8\xA7\"\xE2\x80\xAC "
                        "\xE2\x81\xA6x\xE2\x81\xA9 \xE2\x80\x8E" + repeat("\xE2\x80\xAB\xE2\x80\xAA", 1000)},
      {"zero-width characters", "Titre\nLe\xE2\x80\x8B ministre\xE2\x80\x8D a\xE2\x80\x8C dit \xC2\xAB\xE2\x81\xA0non\xC2\xBB." +
                                    repeat("\xE2\x80\x8B", 10'000 / kScale)},
      {"mixed scripts and emoji", "Titre\n\xD0\x9F\xD1\x83\xD1\x82\xD0\xB8\xD0\xBD a dit \xC2\xAB \xD9\x84\xD8\xA7 "
                                  "\xF0\x9F\x98\x80\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 "
                                  "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\xF0\x9F\x87\xAB \xF0\x9D\x94\xB8\xE4\xB8\xAD\xE6\x96\x87 \xC2\xBB, "
                                  "\xD9\x82\xD8\xA7\xD9\x84 \xD8\xA7\xD9\x84\xD8\xB1\xD8\xA6\xD9\x8A\xD8\xB3."},
      {"astral characters everywhere", "Titre\n" + repeat("\xF0\x9F\x98\x80\xC2\xAB\xF0\x9D\x94\xB8\xC2\xBB, a dit Jean. ", 500)},
      {"NFKC expansions", "Titre\n" + repeat("\xEF\xB7\xBA \xE3\x8C\x80 \xEF\xAC\x83 ", 2000 / kScale)},
      {"Arabic marks and tatweel", "Titre\n" + repeat("\xD9\x82\xD9\x80\xD9\x80\xD8\xA7\xD9\x84\xD9\x8E ", 5000 / kScale)},
  };
}

}  // namespace

TEST_CASE("Hostile texts give valid documents and quotes in every language mode", "[robustness]") {
  for (const auto& [name, s] : hostile_texts()) {
    INFO(name);
    REQUIRE(text::find_invalid_utf8(s) == text::kNpos);
    run_everywhere(s);
  }
}

TEST_CASE("Invalid UTF-8 is an InputError naming the document and the byte", "[robustness]") {
  text::Pipeline pipe(shared().langs);
  struct Case { std::string bytes; std::size_t bad; };
  const Case cases[] = {
      {"abc\xFF", 3},
      {lit("\xFF\xFE" "a\0b\0"), 0},                 // UTF-16 LE with its BOM
      {lit("\xFE\xFF\0a\0b"), 0},                    // UTF-16 BE with its BOM
      {"Titre\n\xC3\xA9t\xE9", 9},              // Latin-1 after valid UTF-8
      {"\xED\xA0\x80", 0},                      // an encoded surrogate
      {std::string(5000, 'a') + "\xC3", 5000},  // truncated at the very end
  };
  for (const auto& c : cases) {
    INFO(c.bytes);
    try {
      pipe.process("doc-7", c.bytes, "fr");
      FAIL("no exception");
    } catch (const InputError& e) {
      CHECK(e.byte_offset() == c.bad);
      CHECK(std::string(e.what()).find("doc-7") != std::string::npos);
      CHECK(std::string(e.what()).find("byte offset " + std::to_string(c.bad)) != std::string::npos);
    }
  }
}

TEST_CASE("Random bytes, repaired, never break the pipeline", "[robustness]") {
  std::mt19937 rng(20240517);
  text::Pipeline pipe(shared().langs);
  for (int round = 0; round < 200; ++round) {
    std::string raw(static_cast<std::size_t>(rng() % 600), '\0');
    for (char& c : raw) c = static_cast<char>(rng() & 0xFF);
    std::size_t replaced = 0;
    const std::string fixed = text::repair_utf8(raw, &replaced);
    REQUIRE(text::find_invalid_utf8(fixed) == text::kNpos);
    REQUIRE((replaced == 0) == (text::find_invalid_utf8(raw) == text::kNpos));
    const char* lang = round % 3 == 0 ? "" : (round % 3 == 1 ? "fr" : "ar");
    const text::Document d = pipe.process("r", fixed, lang);
    REQUIRE(document_problem(d) == "");
    REQUIRE(quotes_problem(d, shared().extractor.extract(d)) == "");
  }
}

TEST_CASE("A batch keeps one row per input, in order, whatever fails", "[robustness]") {
  pipeline::Analyzer an(shared().langs, shared().cb, shared().lex);
  std::vector<pipeline::DocInput> docs = {
      {"ok", "Titre\nLe ministre a d\xC3\xA9" "clar\xC3\xA9 que la gr\xC3\xA8ve continue.", "fr"},
      {"latin1", "Titre\nLe minist\xE8re a dit non.", "fr"},
      {"empty", "", ""},
      {"utf16", lit("\xFF\xFE" "T\0i\0"), ""},
      {"nul", lit("\0\0\0"), ""},
      {"unknown language", "\xC2\xAB Non \xC2\xBB, a dit Jean Dupont.", "xx"},
      {"marks", repeat("\xC2\xAB", 5000), "fr"},
  };
  for (int threads : {1, 2, 3}) {
    INFO("threads=" << threads);
    const pipeline::Batch b = an.analyze(docs, threads);
    REQUIRE(b.documents.size() == docs.size());
    int64_t total = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      CHECK(b.documents[i].id == docs[i].id);
      const bool bad = docs[i].id == "latin1" || docs[i].id == "utf16";
      CHECK(b.documents[i].status == (bad ? "error" : "ok"));
      if (bad) CHECK(b.documents[i].error.find("invalid UTF-8") != std::string::npos);
      total += b.documents[i].n_quotes;
    }
    CHECK(static_cast<int64_t>(b.quotes.size()) == total);
    for (std::size_t k = 0; k < b.quotes.size(); ++k) {
      REQUIRE(b.quotes.doc[k] >= 0);
      REQUIRE(static_cast<std::size_t>(b.quotes.doc[k]) < docs.size());
      REQUIRE(b.quotes.start[k] <= b.quotes.end[k]);
      REQUIRE(b.quotes.end[k] <= b.documents[static_cast<std::size_t>(b.quotes.doc[k])].n_chars);
    }
  }
}

TEST_CASE("A document over the size limit is an error row, not an allocation storm", "[robustness]") {
  pipeline::Analyzer an(shared().langs, shared().cb, shared().lex);
  std::vector<pipeline::DocInput> docs(2);
  docs[0].id = "huge";
  docs[0].text.assign(pipeline::kMaxDocumentBytes + 1, 'a');
  docs[1].id = "small";
  docs[1].text = "Titre\nbonjour";
  const pipeline::Batch b = an.analyze(docs, 2);
  REQUIRE(b.documents.size() == 2);
  CHECK(b.documents[0].status == "error");
  CHECK(b.documents[0].error.find("larger than") != std::string::npos);
  CHECK(b.documents[1].status == "ok");
}

// Regression: Trie::longest_at once kept its depth-first branches in a fixed
// stack of 64 frames and silently dropped the rest, so a phrase behind many
// wildcard branches was missed.
TEST_CASE("A phrase behind many wildcard branches is still found", "[robustness]") {
  lexicon::Vocabulary vocab;
  lexicon::Trie trie;
  auto a = [](int n) { return std::u16string(static_cast<std::size_t>(n), u'a'); };
  for (int i = 1; i <= 40; ++i)
    for (int j = 1; j <= 40; ++j) trie.add(vocab, {{a(i), true}, {a(j), true}, {u"yy", false}}, 0);
  trie.add(vocab, {{a(40), true}, {a(40), true}, {u"zz", false}}, 1);
  text::Pipeline pipe(shared().langs);
  const text::Document d = pipe.process("t", std::string(40, 'a') + " " + std::string(40, 'a') + " zz", "fr");
  lexicon::Keys keys;
  vocab.keys(d, {}, keys);
  const lexicon::Trie::Match m = trie.longest_at(keys, 0, static_cast<int32_t>(d.tokens.size()));
  REQUIRE(m.found());
  CHECK(m.last == 3);
  CHECK(trie.payloads(m.node) == std::vector<int32_t>{1});
}

// ---- instruction counts for the Python suite ---------------------------------

namespace {

// A text of `n` units of one shape (see tests/python/test_robustness.py).
std::string scaling_text(const std::string& shape, std::size_t n) {
  const std::string news =
      "Le ministre a d\xC3\xA9" "clar\xC3\xA9 que la gr\xC3\xA8ve \xC3\xA9tait ill\xC3\xA9gale, selon l'AFP. "
      "\xC2\xAB Nous ne c\xC3\xA9" "derons pas \xC2\xBB, a dit Jean Dupont. ";
  if (shape == "news") {
    std::string s = "Titre\n";
    for (std::size_t i = 0; i < n; ++i) s += news + (i % 4 == 3 ? "\n" : "");
    return s;
  }
  if (shape == "news_one_line") return "Titre\n" + repeat(news, n);
  if (shape == "narration")
    return "Titre\n" + repeat("Les habitants ont vu la rivi\xC3\xA8re monter pendant la nuit. ", n);
  if (shape == "arabic")
    return "\xD8\xB9\xD9\x86\xD9\x88\xD8\xA7\xD9\x86\n" +
           repeat("\xD9\x88\xD9\x82\xD8\xA7\xD9\x84 \xD8\xA7\xD9\x84\xD9\x88\xD8\xB2\xD9\x8A\xD8\xB1 \xD8\xA5\xD9\x86 "
                  "\xD8\xA7\xD9\x84\xD8\xA5\xD8\xB6\xD8\xB1\xD8\xA7\xD8\xA8 \xD8\xA7\xD9\x86\xD8\xAA\xD9\x87\xD9\x89. ", n);
  if (shape == "english") return "Title\n" + repeat("\"We will not yield,\" the minister said. He said the strike was over. ", n);
  if (shape == "russian")
    return "\xD0\x97\xD0\xB0\xD0\xB3\xD0\xBE\xD0\xBB\xD0\xBE\xD0\xB2\xD0\xBE\xD0\xBA\n" +
           repeat("\xC2\xAB\xD0\x9D\xD0\xB5\xD1\x82\xC2\xBB, \xE2\x80\x94 \xD1\x81\xD0\xBA\xD0\xB0\xD0\xB7\xD0\xB0\xD0\xBB "
                  "\xD0\xBE\xD0\xBD. ", n);
  if (shape == "unclosed_marks") return "Titre\n" + repeat("\xC2\xAB ", n);
  if (shape == "unclosed_then_wrong_closers")
    return "Titre\n" + repeat("\xE2\x80\x9C" "a ", n) + repeat("\xC2\xBB ", n);
  if (shape == "ascii_inside_unclosed") return "Titre\n" + repeat("\xC2\xAB" "a \"b\" ", n);
  if (shape == "apostrophes_inside_unclosed") return "Titre\n" + repeat("\xE2\x80\x9Cx\xE2\x80\x99 ", n);
  if (shape == "nested") return "Titre\n" + repeat("\xC2\xAB ", n) + "mot " + repeat("\xC2\xBB ", n);
  if (shape == "commas") return "Titre\nIl a dit que " + repeat("a, ", n);
  if (shape == "no_punctuation") return "Titre\nLe ministre a dit que " + repeat("mot ", n);
  if (shape == "reported_speech") return "Titre\n" + repeat("Il a dit que la gr\xC3\xA8ve continue. ", n);
  if (shape == "uncued_quotes") return "Titre\n" + repeat("\xC2\xAB a \xC2\xBB ", n);
  if (shape == "ascii_quotes") return "Titre\n" + repeat("\"a \"b ", n);
  if (shape == "closed_quotes") return "Titre\n" + repeat("\xC2\xAB a b c \xC2\xBB, a dit Jean Dupont. ", n);
  if (shape == "dialogue") return "Titre\n" + repeat("\xE2\x80\x94 Oui, dit-il.\n", n);
  if (shape == "long_word") return "Titre\n" + std::string(n, 'a');
  FAIL("unknown scaling shape " << shape);
  return {};
}

}  // namespace

// QF_SCALING = "mode:shape:n,mode:shape:n,..." with mode "extract" (text
// pipeline + extractor, warm) or "analyze" (the whole batch analyzer, one
// document, one thread). Under `valgrind --tool=callgrind --instr-atstart=no
// --collect-atstart=no` each item's instruction count is dumped with the
// label "qf mode:shape:n"; "analyze:empty:0" measures the fixed cost.
TEST_CASE("Instruction-count probe for the scaling tests", "[.scaling]") {
  const char* spec = std::getenv("QF_SCALING");
  REQUIRE(spec != nullptr);
  Shared& s = shared();
  pipeline::Analyzer an(s.langs, s.cb, s.lex);
  text::Pipeline pipe(s.langs);
  std::stringstream items(spec);
  std::string item;
  CALLGRIND_START_INSTRUMENTATION;
  while (std::getline(items, item, ',')) {
    const auto c1 = item.find(':'), c2 = item.rfind(':');
    REQUIRE(c1 != std::string::npos);
    REQUIRE(c2 > c1);
    const std::string mode = item.substr(0, c1), shape = item.substr(c1 + 1, c2 - c1 - 1);
    const std::size_t n = std::stoul(item.substr(c2 + 1));
    const std::string lang = shape == "arabic" ? "ar" : shape == "english" ? "en" : shape == "russian" ? "ru" : "fr";
    const std::string body = shape == "empty" ? std::string() : scaling_text(shape, n);
    // Warm up (lazily built break iterators and word lists) outside the count.
    const std::string warm = shape == "empty" ? std::string() : scaling_text(shape, 2);
    std::size_t found = 0;
    if (mode == "extract") {
      found += s.extractor.extract(pipe.process("w", warm, lang)).size();
      CALLGRIND_TOGGLE_COLLECT;
      const text::Document d = pipe.process("d", body, lang);
      found += s.extractor.extract(d).size();
      CALLGRIND_TOGGLE_COLLECT;
    } else {
      REQUIRE(mode == "analyze");
      const std::vector<pipeline::DocInput> w{{"w", warm, lang}}, docs{{"d", body, lang}};
      found += an.analyze(w, 1).quotes.size();
      CALLGRIND_TOGGLE_COLLECT;
      found += an.analyze(docs, 1).quotes.size();
      CALLGRIND_TOGGLE_COLLECT;
    }
    const std::string label = "qf " + item;
    CALLGRIND_DUMP_STATS_AT(label.c_str());
    std::printf("%s quotes=%zu\n", label.c_str(), found);
  }
  CALLGRIND_STOP_INSTRUMENTATION;
}
