// The speed mechanisms of the text and matching layers must not change a
// result: the memo of token forms, the memo of keys, the tries' start bits
// and the whole-document passes of the break iterators. Each test compares
// the fast path with the plain computation on the same input.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "quoteframe/lexicon/phrases.hpp"
#include "quoteframe/text/document.hpp"
#include "quoteframe/text/language.hpp"

using namespace quoteframe;
using namespace quoteframe::text;

namespace {

std::shared_ptr<const LanguageRegistry> languages() {
  static auto reg = std::make_shared<const LanguageRegistry>(
      LanguageRegistry::from_directory(std::string(QUOTEFRAME_DATA_DIR) + "/lang"));
  return reg;
}

struct Tok {
  int32_t begin, end, sentence;
  int kind, flags;
  std::u16string norm;
  bool operator==(const Tok& o) const {
    return begin == o.begin && end == o.end && sentence == o.sentence && kind == o.kind && flags == o.flags &&
           norm == o.norm;
  }
};

std::vector<Tok> tokens_of(const Document& d, int32_t shift = 0, int32_t sentence_shift = 0) {
  std::vector<Tok> out;
  for (std::size_t i = 0; i < d.tokens.size(); ++i) {
    const Token& t = d.tokens[i];
    out.push_back(Tok{t.begin + shift, t.end + shift, t.sentence + sentence_shift, static_cast<int>(t.kind),
                      t.flags, std::u16string(d.norm(i))});
  }
  return out;
}

// Random texts from pieces that exercise the segmenters: line breaks of
// every kind, format and zero-width characters, abbreviations, elisions,
// emoji sequences, several scripts.
std::string random_text(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "word", " ", "\n", "\r\n", "\u200b", "\u200e", "\u202a", "\u2028", "\u2029", ".", ". ", "M. ",
      "l\u2019", "\u00ab", "\u00bb", "\"", "\u00c9", "\u00df", "\u0301", "\U0001F1EB\U0001F1F7",
      "\U0001F469\u200d\U0001F469\u200d\U0001F467", "\u0642\u0627\u0644", "\u041f\u0443\u0442\u0438\u043d",
      "\t", "\u00a0", "?", "!", "\u2026", "1.5", "qu'il", "Dr.", "U.S.", "\u0085", "\x0b", "\x0c", "\u2014",
      "-", "A", "etc.", "\ufeff", "Il dit", "la paix"};
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), len(1, 40);
  std::string s;
  for (std::size_t k = len(rng); k > 0; --k) s += pieces[pick(rng)];
  return s;
}

}  // namespace

TEST_CASE("A pipeline gives the same tokens whatever it processed before (memo of forms)", "[memo][text]") {
  std::mt19937 rng(11);
  Pipeline warm(languages());
  for (int i = 0; i < 400; ++i) {
    const std::string text = random_text(rng);
    for (const char* lang : {"fr", "ar", ""}) {
      Pipeline fresh(languages());
      const Document a = warm.process("t", text, lang);
      const Document b = fresh.process("t", text, lang);
      INFO(text);
      REQUIRE(tokens_of(a) == tokens_of(b));
      REQUIRE(a.lang == b.lang);
    }
  }
}

TEST_CASE("The memo of forms stays correct past its caps", "[memo][text]") {
  // More distinct word forms than either memo keeps (2^17): they clear themselves
  // and the folds and case flags stay those of a fresh pipeline.
  std::string text;
  auto word = [](uint32_t k) {
    std::string w = (k % 3 == 0) ? "E" : "é";  // capitalised ASCII or accented
    for (int j = 0; j < 4; ++j, k /= 26) w += static_cast<char>('a' + k % 26);
    return w;
  };
  const uint32_t n = (1u << 18) + 5000;
  for (uint32_t k = 0; k < n; ++k) {
    text += word(k);
    text += (k % 20 == 19) ? ".\n" : " ";
  }
  Pipeline p(languages());
  const Document d1 = p.process("big", text, "fr");
  const Document d2 = p.process("big", text, "fr");  // after the clear, warm again
  REQUIRE(d1.tokens.size() > n);
  REQUIRE(tokens_of(d1) == tokens_of(d2));
  // Spot checks against a fresh pipeline on a short text.
  Pipeline fresh(languages());
  const Document s = fresh.process("s", word(0) + " " + word(1) + " " + word(n - 1), "fr");
  REQUIRE(d1.norm(0) == s.norm(0));
  REQUIRE(d1.tokens[0].flags == s.tokens[0].flags);
  REQUIRE((d1.tokens[0].flags & kCapitalized) != 0);
}

TEST_CASE("Whole-document segmentation equals segmenting each paragraph alone", "[memo][text]") {
  // Paragraphs end at every line break, the vertical tab and the form feed
  // included; word and sentence breaks inside one must not depend on the
  // text around it.
  std::mt19937 rng(5);
  Pipeline whole(languages()), alone(languages());
  for (int i = 0; i < 300; ++i) {
    const std::string text = random_text(rng);
    const Document d = whole.process("t", text, "fr");
    std::vector<Tok> expected;
    int32_t sentences = 0;
    for (const Paragraph& p : d.paragraphs) {
      std::string piece = d.slice(p.begin, p.end);
      const Document one = alone.process("p", piece, "fr");
      REQUIRE(one.paragraphs.size() <= 1);
      // The paragraph's offsets are UTF-16 in `d`, and so are `one`'s.
      for (Tok t : tokens_of(one, p.begin, sentences)) expected.push_back(t);
      sentences += static_cast<int32_t>(one.sentences.size());
    }
    INFO(text);
    REQUIRE(tokens_of(d) == expected);
    REQUIRE(static_cast<int32_t>(d.sentences.size()) == sentences);
  }
}

TEST_CASE("Keys through the memo equal keys computed afresh, across languages and vocabulary changes",
          "[memo][phrases]") {
  lexicon::Vocabulary vocab;
  lexicon::Trie trie;
  Pipeline pipe(languages());
  auto add = [&](const std::string& phrase, const std::string& lang, int payload) {
    trie.add(vocab, pipe.tokenize_pattern(phrase, lang), payload);
  };
  add("légitim*", "fr", 1);
  add("maintien de la paix", "fr", 2);
  add("منظمة", "ar", 3);
  add("الغرب", "ar", 4);
  const std::vector<lexicon::Clitic> none;
  const std::vector<lexicon::Clitic> arabic = lexicon::parse_clitics({"و", "ب", "ال", "لل=ال"});
  const std::vector<std::pair<std::string, const std::vector<lexicon::Clitic>*>> docs = {
      {"Une mission légitime de maintien de la paix, légitimement.", &none},
      {"وقالت المنظمة إن الغرب والمنظمة وبالغرب", &arabic},
      {"Une mission légitime de maintien de la paix, légitimement.", &none},
      {"وقالت المنظمة إن الغرب والمنظمة وبالغرب", &arabic}};
  lexicon::KeyMemo memo;
  auto check = [&]() {
    for (const auto& [text, clitics] : docs) {
      const Document d = pipe.process("t", text);
      lexicon::Keys plain, memoised;
      vocab.keys(d, *clitics, plain);
      vocab.keys(d, *clitics, memoised, &memo);
      INFO(text);
      REQUIRE(plain.offsets == memoised.offsets);
      REQUIRE(plain.ids == memoised.ids);
      REQUIRE(plain.starts == memoised.starts);
      std::vector<lexicon::Trie::Match> a, b;
      trie.find_all(plain, 0, static_cast<int32_t>(d.tokens.size()), a);
      trie.find_all(memoised, 0, static_cast<int32_t>(d.tokens.size()), b);
      REQUIRE(a.size() == b.size());
      REQUIRE(!a.empty());
    }
  };
  check();
  // A word added after the memo was filled must be found: the memo sees
  // the vocabulary's new version and forgets what it held.
  add("légitimement", "fr", 5);
  add("والمنظمة", "ar", 6);
  check();
  const Document d = pipe.process("t", "légitimement");
  lexicon::Keys k;
  vocab.keys(d, none, k, &memo);
  std::vector<lexicon::Trie::Match> ms;
  trie.find_all(k, 0, 1, ms);
  REQUIRE(ms.size() == 1);
  REQUIRE(trie.payloads(ms[0].node) == std::vector<int32_t>{5});
}

TEST_CASE("Start bits filter tries without losing a match, past 64 tries", "[memo][phrases]") {
  // 70 tries on one vocabulary: bits are shared past the 64th, which may
  // only let more tokens through to the exact check.
  lexicon::Vocabulary vocab;
  std::vector<lexicon::Trie> tries(70);
  Pipeline pipe(languages());
  for (std::size_t k = 0; k < tries.size(); ++k) {
    const std::string w = "mot" + std::to_string(k);
    tries[k].add(vocab, pipe.tokenize_pattern(w + " suivant", "fr"), static_cast<int32_t>(k));
    tries[k].add(vocab, pipe.tokenize_pattern("commun " + w, "fr"), 1000);
  }
  std::string text;
  for (std::size_t k = 0; k < tries.size(); ++k) text += "mot" + std::to_string(k) + " suivant commun mot" + std::to_string(k) + " ";
  const Document d = pipe.process("t", text, "fr");
  lexicon::Keys with, without;
  vocab.keys(d, {}, with);
  vocab.keys(d, {}, without);
  without.starts.clear();  // no filter: every token checked in full
  for (std::size_t k = 0; k < tries.size(); ++k) {
    std::vector<lexicon::Trie::Match> a, b;
    tries[k].find_all(with, 0, static_cast<int32_t>(d.tokens.size()), a);
    tries[k].find_all(without, 0, static_cast<int32_t>(d.tokens.size()), b);
    INFO("trie " << k);
    REQUIRE(a.size() == 2);
    REQUIRE(b.size() == 2);
    for (std::size_t m = 0; m < a.size(); ++m) {
      REQUIRE(a[m].first == b[m].first);
      REQUIRE(a[m].last == b[m].last);
    }
  }
}

TEST_CASE("Language identification stops early only on a clear lead", "[text][language]") {
  // A French opening with many function words, then a long English part:
  // the French lead is decisive before the English starts.
  std::string fr;
  for (int i = 0; i < 6; ++i) fr += "Le ministre a dit que la mission et les troupes de la force sont dans le pays. ";
  std::string en;
  for (int i = 0; i < 40; ++i) en += "The minister said that the mission and the troops of the force are in the country. ";
  REQUIRE(detect_language(std::u16string(u"x"), *languages()) == "und");
  Pipeline p(languages());
  REQUIRE(p.process("fr-en", fr + en).lang == "fr");
  REQUIRE(p.process("en-fr", en + fr).lang == "en");
}
