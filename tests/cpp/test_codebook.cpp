#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/errors.hpp"

using quoteframe::ConfigError;
using namespace quoteframe::codebook;

namespace {

// Sanitized and unoptimised builds run about ten times slower. The time
// budgets only need to catch quadratic behaviour, which would take minutes.
#if defined(__SANITIZE_ADDRESS__) || !defined(NDEBUG)
constexpr double kSlowBuild = 10.0;
#else
constexpr double kSlowBuild = 1.0;
#endif

// Lines 1-3 of every invalid case below; the cases start on line 4.
const std::string kHead =
    "[codebook]\n"
    "name = \"t\"\n"
    "languages = [\"fr\", \"en\"]\n";

const std::string kExample = R"toml([codebook]
name = "csto-kazakhstan-2022"
title = "The CSTO mission"
description = "A small test codebook."
languages = ["fr", "ar", "en"]
default_target = "csto"

[[sides]]
id = "russia"
label = "Russia"

[[sides]]
id = "united_states"

[[actors]]
id = "maria_zakharova"
label = "Maria Zakharova"
side = "russia"
kind = "person"
gender = "female"
roles = ["spokesperson", "diplomat"]
[actors.names]
fr = ["Maria Zakharova", "  Zakharova  ", "Zakharov*"]
ar = ["ماريا زاخاروفا", "زاخاروفا"]
[actors.descriptions]
fr = ["porte-parole de la diplomatie russe"]

[[actors]]
id = "csto_secretary_general"
[actors.descriptions]
fr = ["secrétaire général de l'OTSC"]

[[media]]
id = "tass"
label = "TASS"
[media.names]
fr = ["TASS", "agence Tass"]

[[targets]]
id = "csto"
label = "The CSTO mission"
[targets.patterns]
fr = ["OTSC", "maintien de la paix", { pattern = "troupes", weight = 0.5 }]
en = []

[[frames]]
id = "legality"
label = "Legality"
description = "legal / illegal, legitimacy"
[frames.patterns]
fr = ["légitim*", { pattern = "mandat", weight = 0.8 }, { pattern = "accord", weight = 2 }]

[lexicon.positive]
fr = ["réussi*"]
[lexicon.negative]
fr = ["échec*", { pattern = "fiasco", strength = 1.5 }, { pattern = "raté*", weight = 0.5 }]
)toml";

template <class F>
ConfigError config_error(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("no ConfigError thrown");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a complete codebook loads with defaults and lines", "[codebook]") {
  const Codebook cb = parse_codebook(kExample, "<string>");
  CHECK(cb.name == "csto-kazakhstan-2022");
  CHECK(cb.title == "The CSTO mission");
  CHECK(cb.description == "A small test codebook.");
  CHECK(cb.source == "<string>");
  CHECK(cb.languages == std::vector<std::string>{"fr", "ar", "en"});
  CHECK(cb.default_target == "csto");
  CHECK(cb.toml_text == kExample);

  REQUIRE(cb.sides.size() == 2);
  CHECK(cb.sides[0].label == "Russia");
  CHECK(cb.sides[1].label == "united_states");  // label defaults to the id
  CHECK(cb.sides[1].line == 12);

  REQUIRE(cb.actors.size() == 2);
  const Actor& zakharova = cb.actors[0];
  CHECK(zakharova.line == 15);
  CHECK(zakharova.side == "russia");
  CHECK(zakharova.gender == Gender::Female);
  CHECK(zakharova.roles == std::vector<std::string>{"spokesperson", "diplomat"});
  CHECK(zakharova.names.at("fr") == std::vector<std::string>{"Maria Zakharova", "Zakharova", "Zakharov*"});
  CHECK(zakharova.names.at("ar").size() == 2);
  CHECK(zakharova.descriptions.at("fr").size() == 1);
  const Actor& secretary = cb.actors[1];
  CHECK(secretary.label == "csto_secretary_general");
  CHECK(secretary.side.empty());
  CHECK(secretary.kind == "person");
  CHECK(secretary.gender == Gender::Unknown);
  CHECK(secretary.names.empty());

  REQUIRE(cb.media.size() == 1);
  CHECK(cb.media[0].names.at("fr").size() == 2);

  REQUIRE(cb.targets.size() == 1);
  const auto& target_fr = cb.targets[0].patterns.at("fr");
  REQUIRE(target_fr.size() == 3);
  CHECK(target_fr[0].text == "OTSC");
  CHECK(target_fr[0].weight == 1.0);
  CHECK(target_fr[2].text == "troupes");
  CHECK(target_fr[2].weight == 0.5);
  CHECK(target_fr[2].line == 43);
  CHECK(cb.targets[0].patterns.at("en").empty());

  REQUIRE(cb.frames.size() == 1);
  CHECK(cb.frames[0].description == "legal / illegal, legitimacy");
  CHECK(cb.frames[0].patterns.at("fr")[2].weight == 2.0);  // integer weights are fine
  CHECK(cb.positive.at("fr")[0].text == "réussi*");
  CHECK(cb.negative.at("fr")[1].weight == 1.5);  // lexicon entries say `strength`
  CHECK(cb.negative.at("fr")[2].weight == 0.5);  // or `weight`

  CHECK(cb.find_actor("maria_zakharova") == &cb.actors[0]);
  CHECK(cb.find_side("united_states") == &cb.sides[1]);
  CHECK(cb.find_target("csto") != nullptr);
  CHECK(cb.find_frame("legality") != nullptr);
  CHECK(cb.find_actor("nobody") == nullptr);
  CHECK(std::string(gender_name(Gender::Plural)) == "plural");
}

TEST_CASE("a minimal codebook needs only name and languages", "[codebook]") {
  const Codebook cb = parse_codebook("[codebook]\nname = \"x_1-y\"\nlanguages = [\"pt-BR\", \"zh-Hans\"]\n", "m");
  CHECK(cb.name == "x_1-y");
  CHECK(cb.actors.empty());
  CHECK(cb.default_target.empty());
  CHECK(cb.title.empty());
}

TEST_CASE("invalid codebooks name the line, the field and the problem", "[codebook]") {
  struct Case {
    const char* name;
    std::string text;
    int line;
    std::string field;
    std::string problem;
  };
  const std::string actor = "[[actors]]\nid = \"a\"\n";  // lines 4-5
  const std::string names = "[actors.names]\nfr = [\"A\"]\n";
  const std::string target = "[[targets]]\nid = \"t\"\n[targets.patterns]\n";  // lines 4-6
  const std::vector<Case> cases = {
      {"missing [codebook]", "[[sides]]\nid = \"a\"\n", 0, "codebook", "the [codebook] table is missing"},
      {"[codebook] of the wrong type", "codebook = 1\n", 1, "codebook", "expected a table, got an integer"},
      {"missing name", "[codebook]\nlanguages = [\"fr\"]\n", 1, "codebook.name", "required key is missing"},
      {"bad name", "[codebook]\nname = \"My Book\"\nlanguages = [\"fr\"]\n", 2, "codebook.name",
       "'My Book' is not a valid id: use lower-case letters a-z, digits and '_' or '-'"},
      {"missing languages", "[codebook]\nname = \"x\"\n", 1, "codebook.languages", "required key is missing"},
      {"empty languages", "[codebook]\nname = \"x\"\nlanguages = []\n", 3, "codebook.languages",
       "declare at least one language"},
      {"languages not a list", "[codebook]\nname = \"x\"\nlanguages = \"fr\"\n", 3, "codebook.languages",
       "expected an array, got a string"},
      {"bad language code", "[codebook]\nname = \"x\"\nlanguages = [\"fr\",\n \"French\"]\n", 4,
       "codebook.languages[1]", "'French' is not a language code"},
      {"language listed twice", "[codebook]\nname = \"x\"\nlanguages = [\"fr\", \"fr\"]\n", 3,
       "codebook.languages[1]", "listed twice"},
      {"unknown key in [codebook]", kHead + "titel = \"x\"\n", 4, "codebook.titel",
       "unknown key 'titel' (did you mean 'title'?)"},
      {"unknown section", kHead + "[[actor]]\nid = \"a\"\n", 4, "actor",
       "unknown key 'actor' (did you mean 'actors'?)"},
      {"default target not declared", "[codebook]\nname = \"x\"\nlanguages = [\"fr\"]\ndefault_target = \"y\"\n",
       4, "codebook.default_target", "'y' is not a declared target; declared: (none)"},
      {"actor without id", kHead + "[[actors]]\nlabel = \"A\"\n", 4, "actors[0].id", "required key is missing"},
      {"actor id with capitals", kHead + "[[actors]]\nid = \"Maria\"\n", 5, "actors[0].id", "not a valid id"},
      {"actor id too long", kHead + "[[actors]]\nid = \"" + std::string(65, 'a') + "\"\n", 5, "actors[0].id",
       "longer than 64 characters"},
      {"actor field of the wrong type", kHead + actor + "gender = [\"female\"]\n", 6, "actors[0].gender",
       "expected a string, got an array"},
      {"unknown actor key", kHead + actor + "lable = \"A\"\n" + names, 6, "actors[0].lable",
       "did you mean 'label'?"},
      {"misspelt names table", kHead + actor + "[actors.name]\nfr = [\"A\"]\n", 6, "actors[0].name",
       "unknown key 'name' (did you mean 'names'?)"},
      {"bad gender", kHead + actor + "gender = \"woman\"\n" + names, 6, "actors[0].gender",
       "'woman' is not one of female, male, plural, unknown"},
      {"bad kind", kHead + actor + "kind = \"company\"\n" + names, 6, "actors[0].kind", "'company' is not one of"},
      {"undeclared side", kHead + "[[sides]]\nid = \"ru\"\n" + "[[actors]]\nid = \"a\"\nside = \"russia\"\n" + names, 8,
       "actors[0].side", "'russia' is not a declared side; declared: ru"},
      {"bad role", kHead + actor + "roles = [\"ok\",\n \"Spokesperson\"]\n" + names, 7, "actors[0].roles[1]",
       "not a valid id"},
      {"duplicate actor id", kHead + actor + names + "[[actors]]\nid = \"a\"\n" + names, 9, "actors[1].id",
       "duplicate actor id 'a' (first on line 5)"},
      {"duplicate side id", kHead + "[[sides]]\nid = \"s\"\n[[sides]]\nid = \"s\"\n", 7, "sides[1].id",
       "duplicate side id 's'"},
      {"empty label", kHead + "[[sides]]\nid = \"s\"\nlabel = \"\"\n", 6, "sides[0].label", "must not be empty"},
      {"actor without names", kHead + actor, 4, "actors[0].names", "has no names or descriptions"},
      {"undeclared language", kHead + actor + "[actors.names]\nfr = [\"A\"]\nde = [\"A\"]\n", 8,
       "actors[0].names.de", "language 'de' is not declared in codebook.languages (fr, en)"},
      {"names not a list", kHead + actor + "[actors.names]\nfr = \"A\"\n", 7, "actors[0].names.fr",
       "expected an array of strings, got a string"},
      {"name not a string", kHead + actor + "[actors.names]\nfr = [\"A\", 3]\n", 7, "actors[0].names.fr[1]",
       "expected a string, got an integer"},
      {"name with a weight", kHead + actor + "[actors.names]\nfr = [{ pattern = \"A\" }]\n", 7,
       "actors[0].names.fr[0]", "expected a string, got a table"},
      {"empty name", kHead + actor + "[actors.names]\nfr = [\"A\", \"  \"]\n", 7, "actors[0].names.fr[1]",
       "empty pattern"},
      {"duplicate name", kHead + actor + "[actors.names]\nfr = [\"A\",\n\" A\"]\n", 8, "actors[0].names.fr[1]",
       "duplicate entry 'A' (already on line 7)"},
      {"name with a newline", kHead + actor + "[actors.names]\nfr = [\"A\\nB\"]\n", 7, "actors[0].names.fr[0]",
       "without control characters"},
      {"medium without names", kHead + "[[media]]\nid = \"tass\"\n", 4, "media[0].names", "has no names"},
      {"unknown target key", kHead + "[[targets]]\nid = \"t\"\npatterns = []\n", 6, "targets[0].patterns",
       "expected a table, got an array"},
      {"wildcard at the start", kHead + target + "fr = [\"*ité\"]\n", 7, "targets[0].patterns.fr[0]",
       "'*' may only end a word"},
      {"wildcard inside a word", kHead + target + "fr = [\"lé*gal\"]\n", 7, "targets[0].patterns.fr[0]",
       "'*' may only end a word"},
      {"wildcard alone", kHead + target + "fr = [\"mission *\"]\n", 7, "targets[0].patterns.fr[0]",
       "'*' may only end a word"},
      {"double wildcard", kHead + target + "fr = [\"mission**\"]\n", 7, "targets[0].patterns.fr[0]",
       "'*' may only end a word"},
      {"pattern too long", kHead + target + "fr = [\"" + std::string(201, 'x') + "\"]\n", 7,
       "targets[0].patterns.fr[0]", "pattern longer than 200 characters"},
      {"pattern of too many words", kHead + target + "fr = [\"a b c d e f g h i j k l m\"]\n", 7,
       "targets[0].patterns.fr[0]", "pattern of more than 12 words"},
      {"negative weight", kHead + target + "fr = [{ pattern = \"x\", weight = -1 }]\n", 7,
       "targets[0].patterns.fr[0].weight", "must be a finite number >= 0"},
      {"infinite weight", kHead + target + "fr = [{ pattern = \"x\", weight = inf }]\n", 7,
       "targets[0].patterns.fr[0].weight", "must be a finite number >= 0"},
      {"nan weight", kHead + target + "fr = [{ pattern = \"x\", weight = nan }]\n", 7,
       "targets[0].patterns.fr[0].weight", "must be a finite number >= 0"},
      {"weight as a string", kHead + target + "fr = [{ pattern = \"x\", weight = \"2\" }]\n", 7,
       "targets[0].patterns.fr[0].weight", "expected a number, got a string"},
      {"misspelt weight", kHead + target + "fr = [{ pattern = \"x\", wieght = 2 }]\n", 7,
       "targets[0].patterns.fr[0].wieght", "did you mean 'weight'?"},
      {"pattern table without pattern", kHead + target + "fr = [{ weight = 2 }]\n", 7,
       "targets[0].patterns.fr[0].pattern", "required key is missing"},
      {"empty pattern in a table", kHead + target + "fr = [{ pattern = \"\" }]\n", 7,
       "targets[0].patterns.fr[0].pattern", "empty pattern"},
      {"pattern of the wrong type", kHead + target + "fr = [true]\n", 7, "targets[0].patterns.fr[0]",
       "expected a pattern"},
      {"unknown frame key", kHead + "[[frames]]\nid = \"f\"\ndescripton = \"x\"\n", 6, "frames[0].descripton",
       "did you mean 'description'?"},
      {"strength outside the lexicon", kHead + target + "fr = [{ pattern = \"x\", strength = 2 }]\n", 7,
       "targets[0].patterns.fr[0].strength", "unknown key 'strength'"},
      {"negative strength", kHead + "[lexicon.positive]\nfr = [{ pattern = \"x\", strength = -0.5 }]\n", 5,
       "lexicon.positive.fr[0].strength", "must be a finite number >= 0"},
      {"strength and weight together", kHead + "[lexicon.negative]\nfr = [{ pattern = \"x\", strength = 1, weight = 1 }]\n",
       5, "lexicon.negative.fr[0].strength", "either strength or weight, not both"},
      {"unknown lexicon key", kHead + "[lexicon.neutral]\nfr = [\"x\"]\n", 4, "lexicon.neutral", "unknown key"},
      {"lexicon language not declared", kHead + "[lexicon.positive]\nru = [\"x\"]\n", 5, "lexicon.positive.ru",
       "language 'ru' is not declared"},
      {"TOML syntax error", kHead + "[[actors]]\nid = \"a\n", 5, "actors[0].id", "unterminated string"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const ConfigError e = config_error([&] { parse_codebook(c.text, "cb.toml"); });
      CHECK(e.source() == "cb.toml");
      CHECK(e.line() == c.line);
      CHECK(e.field() == c.field);
      CHECK_THAT(e.what(), Catch::Contains(c.problem));
    }
  }
}

TEST_CASE("pattern limits count characters, not bytes", "[codebook]") {
  std::string arabic;
  for (int i = 0; i < 200; ++i) arabic += "ب";  // 200 characters, 400 bytes
  const std::string text = kHead + "[[targets]]\nid = \"t\"\n[targets.patterns]\nfr = [\"" + arabic +
                           "\", \"a b c d e f g h i j k l\", \"x*  y*\"]\n";
  const Codebook cb = parse_codebook(text, "cb.toml");
  CHECK(cb.targets[0].patterns.at("fr").size() == 3);
}

TEST_CASE("the total number of patterns is capped", "[codebook][limits]") {
  auto book = [](std::size_t n) {
    std::string text = kHead + "[[targets]]\nid = \"t\"\n[targets.patterns]\nfr = [\n";
    for (std::size_t i = 0; i < n; ++i) text += "\"p" + std::to_string(i) + "\",\n";
    return text + "]\n";
  };
  const auto start = std::chrono::steady_clock::now();
  CHECK(parse_codebook(book(kMaxPatterns), "cb.toml").targets[0].patterns.at("fr").size() == kMaxPatterns);
  const ConfigError e = config_error([&] { parse_codebook(book(kMaxPatterns + 1), "cb.toml"); });
  CHECK(e.line() == 8 + static_cast<int>(kMaxPatterns));
  CHECK(e.field() == "targets[0].patterns.fr[200000]");
  CHECK_THAT(e.what(), Catch::Contains("more than 200000 patterns in the codebook"));
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 5.0 * kSlowBuild);
}

TEST_CASE("load_codebook reads a file and names it in errors", "[codebook]") {
  const std::string path = "quoteframe_test_codebook.toml";
  {
    std::ofstream out(path, std::ios::binary);
    out << kExample;
  }
  const Codebook cb = load_codebook(path);
  CHECK(cb.source == path);
  CHECK(cb.toml_text == kExample);
  {
    std::ofstream out(path, std::ios::binary);
    out << kHead << "[[actors]]\nid = \"a\"\ngender = 1\n";
  }
  const ConfigError e = config_error([&] { load_codebook(path); });
  CHECK(std::string(e.what()) == path + ":6: actors[0].gender: expected a string, got an integer");
  std::remove(path.c_str());

  const ConfigError missing = config_error([] { load_codebook("no/such/codebook.toml"); });
  CHECK(missing.line() == 0);
  CHECK_THAT(missing.what(), Catch::StartsWith("no/such/codebook.toml: cannot open the file"));
}

TEST_CASE("the shipped codebook is valid", "[codebook]") {
  const Codebook cb = load_codebook(std::string(QUOTEFRAME_CODEBOOK_DIR) + "/csto-kazakhstan-2022.toml");
  CHECK(cb.name == "csto-kazakhstan-2022");
  CHECK_FALSE(cb.actors.empty());
  CHECK(cb.find_target(cb.default_target) != nullptr);
}
