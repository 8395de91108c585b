// Scoring: each context rule on its own, and the batched product equal to
// quote-by-quote scoring.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/scoring/lexicon.hpp"
#include "quoteframe/scoring/scorer.hpp"
#include "quoteframe/text/document.hpp"

using namespace quoteframe;

namespace {

const char* kCodebook = R"(
[codebook]
name = "t"
languages = ["fr"]
default_target = "plan"
[[targets]]
id = "plan"
[targets.patterns]
fr = ["plan", "réforme"]
[[targets]]
id = "rival"
[targets.patterns]
fr = ["opposition"]
[[frames]]
id = "money"
[frames.patterns]
fr = ["coût*", { pattern = "budget", weight = 2.0 }]
)";

const char* kLexicon = R"(
[lexicon]
language = "fr"
positive = ["bon", "succès", { pattern = "excellent", strength = 2.0 }, "accompli* … mission*"]
negative = ["échec", "mauvais*", "violence"]
situational = ["violence"]
negators = ["ne", "pas"]
intensifiers = ["très"]
diminishers = ["peu"]
hedges = ["peut-être"]
distancing = ["soi-disant"]
contrast = ["mais"]
counterfactual = ["prétend* que"]
shifters = ["arrêter"]
directives = ["appel* … à", "exige"]
continuations = ["et que", "que"]
)";

struct Fixture {
  std::shared_ptr<const text::LanguageRegistry> langs = std::make_shared<const text::LanguageRegistry>(
      text::LanguageRegistry::from_directory(std::string(QUOTEFRAME_DATA_DIR) + "/lang"));
  std::shared_ptr<const codebook::Codebook> cb =
      std::make_shared<const codebook::Codebook>(codebook::parse_codebook(kCodebook, "t.toml"));
  std::shared_ptr<scoring::LexiconRegistry> lex = [] {
    auto r = std::make_shared<scoring::LexiconRegistry>();
    r->add(scoring::parse_lexicon(kLexicon, "lex.toml"));
    return r;
  }();
  scoring::Scorer scorer{langs, cb, lex};
  text::Pipeline pipe{langs};

  // Feature row of a whole text scored as one quote.
  Eigen::RowVectorXf score(const std::string& s) {
    text::Document d = pipe.process("t", s, "fr");
    lexicon::Keys keys;
    scorer.keys(d, keys);
    std::vector<Eigen::Triplet<float, int32_t>> trip;
    const int32_t n = scorer.collect(d, keys, 0, static_cast<int32_t>(d.tokens.size()), {}, 0, trip, nullptr);
    Eigen::VectorXf nw(1);
    nw(0) = static_cast<float>(n);
    return scorer.features(scorer.matrix(1, trip), nw).row(0);
  }
  // Every hit of a whole text scored as one quote.
  std::vector<scoring::Hit> hits(const std::string& s) {
    text::Document d = pipe.process("t", s, "fr");
    lexicon::Keys keys;
    scorer.keys(d, keys);
    std::vector<Eigen::Triplet<float, int32_t>> trip;
    std::vector<scoring::Hit> out;
    scorer.collect(d, keys, 0, static_cast<int32_t>(d.tokens.size()), {}, 0, trip, &out);
    return out;
  }
  int col(const std::string& name) {
    const auto& ns = scorer.feature_names();
    return static_cast<int>(std::find(ns.begin(), ns.end(), name) - ns.begin());
  }
};

}  // namespace

TEST_CASE("Feature layout", "[scoring]") {
  Fixture f;
  const std::vector<std::string> want = {"frame_money", "stance_plan", "stance_rival", "stance_plan_label",
                                         "stance_rival_label", "uncertainty", "distancing", "valence", "n_tokens"};
  CHECK(f.scorer.feature_names() == want);
}

TEST_CASE("Stance context rules", "[scoring]") {
  Fixture f;
  const int plan = f.col("stance_plan"), rival = f.col("stance_rival");
  struct Case { const char* text; float plan, rival; };
  // stance = raw / (sum |raw| + 1)
  const Case cases[] = {
      {"Le plan est un succès.", 0.5f, 0.f},
      {"Le plan n'est pas un succès.", -0.5f, 0.f},              // negation flips
      {"Le plan est un très bon succès.", 3.f / 4.f, 0.f},       // an intensifier reaches two words
      {"Le plan est un peu bon.", 0.5f / 1.5f, 0.f},             // diminisher
      {"Le plan est excellent.", 2.f / 3.f, 0.f},                // strength
      {"L'opposition prétend que le plan est un échec.", 0.f, 0.f},  // attributed: not the speaker's
      {"Ce soi-disant succès du plan.", 0.f, 0.f},               // distanced
      {"Un succès, mais un échec.", -0.5f / 2.5f, 0.f},          // before contrast counts half; implicit target
      {"L'opposition est mauvaise, le plan est bon.", 0.5f, -0.5f},  // nearest mention
      {"Il faut arrêter la violence.", 0.5f, 0.f},               // shifted situational word: an achievement
      {"La violence continue.", 0.f, 0.f},                       // situational: no implicit target
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto row = f.score(c.text);
    CHECK(row(plan) == Approx(c.plan).margin(1e-5));
    CHECK(row(rival) == Approx(c.rival).margin(1e-5));
  }
}

TEST_CASE("Directives, gapped phrases and continued attributions", "[scoring]") {
  Fixture f;
  const int plan = f.col("stance_plan"), rival = f.col("stance_rival");
  struct Case { const char* text; float plan, rival; };
  const Case cases[] = {
      // The addressee sits between the verb and "à", commas included: "bon" is
      // reversed and aimed at it, and the directive adds -0.5: -1.5 / 2.5.
      {"Nous appelons l'opposition, et ses alliés, à un bon comportement.", 0.f, -0.6f},
      // A quote mark in the gap: "appeler X un « Y »" names, it does not exhort.
      {"Ils appellent le plan un « succès » à Paris.", 0.5f, 0.f},
      // No addressee: reversed like a shifter, toward the implicit target, no -0.5.
      {"Un appel à un bon comportement.", -0.5f, 0.f},
      // A shifter inside a directive cancels it: the violence is the addressee's.
      {"Nous appelons l'opposition à arrêter la violence.", 0.f, -0.6f},
      // Untailed directive: the addressee is the first mention within 4 words.
      {"Le ministre exige de l'opposition un bon plan.", 0.f, -0.6f},
      // "head … tail": up to three words in between, no punctuation.
      {"Le plan a accompli sa mission.", 0.5f, 0.f},
      {"Le plan a accompli, hélas, sa mission.", 0.f, 0.f},
      {"Le plan a accompli avec un très grand soin sa mission.", 0.f, 0.f},
      // An attributed claim goes on over a sentence opening with "Et que" / "Que".
      {"L'opposition prétend que le plan est un échec. Et que le plan est mauvais.", 0.f, 0.f},
      {"L'opposition prétend que le plan est un échec. Que le plan est mauvais.", 0.f, 0.f},
      {"L'opposition prétend que le plan est un échec. Le plan est mauvais.", -0.5f, 0.f},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto row = f.score(c.text);
    CHECK(row(plan) == Approx(c.plan).margin(1e-5));
    CHECK(row(rival) == Approx(c.rival).margin(1e-5));
  }
  // explain(): the directive is one hit aimed at its addressee, the words in its
  // scope carry the `directed` flag, and a continuation is reported once.
  const auto hs = f.hits("Nous appelons l'opposition, et ses alliés, à un bon comportement.");
  int directive = 0, directed = 0;
  for (const auto& h : hs) {
    const auto kind = f.scorer.entries()[static_cast<std::size_t>(h.entry)].kind;
    if (kind == scoring::EntryKind::Directive) {
      ++directive;
      CHECK(h.target == 1);
      CHECK(h.factor == Approx(1.f));
    }
    if (kind == scoring::EntryKind::Positive) {
      CHECK((h.flags & scoring::kDirected) != 0);
      CHECK(h.target == 1);
      CHECK(h.factor == Approx(-1.f));
      ++directed;
    }
  }
  CHECK(directive == 1);
  CHECK(directed == 1);
  int continuations = 0;
  for (const auto& h : f.hits("Il prétend que le plan échoue et prétend que c'est mauvais. Et que le plan est mauvais."))
    continuations += f.scorer.entries()[static_cast<std::size_t>(h.entry)].kind == scoring::EntryKind::Continuation;
  CHECK(continuations == 1);
}

TEST_CASE("Frames, hedges and distancing are per-10-word intensities", "[scoring]") {
  Fixture f;
  auto row = f.score("Le budget et le coût.");
  CHECK(row(f.col("frame_money")) == Approx(10.f * 3.f / 10.f));  // weights 2 + 1, five words floored at 10
  row = f.score("Peut-être un soi-disant plan.");
  CHECK(row(f.col("uncertainty")) == Approx(1.f));
  CHECK(row(f.col("distancing")) == Approx(1.f));
  CHECK(row(f.col("n_tokens")) == Approx(6.f));  // hyphens split words: peut, être, soi, disant
}

TEST_CASE("Batched product equals scoring one quote at a time", "[scoring]") {
  Fixture f;
  const std::vector<std::string> texts = {"Le plan est un succès.", "L'opposition est mauvaise.",
                                          "Le budget, un échec.", ""};
  std::vector<Eigen::Triplet<float, int32_t>> trip;
  Eigen::VectorXf nw(static_cast<Eigen::Index>(texts.size()));
  for (std::size_t i = 0; i < texts.size(); ++i) {
    text::Document d = f.pipe.process("t", texts[i], "fr");
    lexicon::Keys keys;
    f.scorer.keys(d, keys);
    nw(static_cast<Eigen::Index>(i)) = static_cast<float>(
        f.scorer.collect(d, keys, 0, static_cast<int32_t>(d.tokens.size()), {}, static_cast<int32_t>(i), trip, nullptr));
  }
  const auto all = f.scorer.features(f.scorer.matrix(texts.size(), trip), nw);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    INFO(texts[i]);
    CHECK(all.row(static_cast<Eigen::Index>(i)).isApprox(f.score(texts[i]), 1e-6f));
  }
}

TEST_CASE("Malformed lexicons are rejected with file, line and field", "[scoring]") {
  CHECK_THROWS_WITH(scoring::parse_lexicon("[lexicon]\nlanguage = \"fr\"\npositive = [3]\n", "x.toml"),
                    Catch::Contains("x.toml:3: lexicon.positive[0]"));
  CHECK_THROWS_WITH(scoring::parse_lexicon("[lexicon]\nlanguage = \"fr\"\nmood = []\n", "x.toml"),
                    Catch::Contains("unknown key 'mood'"));
  CHECK_THROWS_WITH(scoring::parse_lexicon("[lexicon]\nlanguage = \"fr\"\npositive = [{ pattern = \"a\", strength = -1 }]\n", "x.toml"),
                    Catch::Contains("strength"));
  CHECK_THROWS_WITH(scoring::parse_lexicon("[lexicon]\nlanguage = \"fr\"\ndirectives = [1]\n", "x.toml"),
                    Catch::Contains("lexicon.directives"));
}
