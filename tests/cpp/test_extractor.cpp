// Quote extraction and attribution, pattern by pattern (French and Arabic;
// English and Russian join as their language files land).
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/quotes/extractor.hpp"
#include "quoteframe/text/document.hpp"

using namespace quoteframe;

namespace {

const char* kCodebook = R"(
[codebook]
name = "test"
languages = ["fr", "ar"]
[[sides]]
id = "a"
[[sides]]
id = "b"
[[actors]]
id = "anne_roux"
label = "Anne Roux"
side = "a"
gender = "female"
roles = ["spokesperson"]
[actors.names]
fr = ["Anne Roux", "Roux"]
ar = ["آن رو", "رو"]
[[actors]]
id = "paul_meyer"
label = "Paul Meyer"
side = "b"
gender = "male"
roles = ["minister"]
[actors.names]
fr = ["Paul Meyer", "Meyer"]
ar = ["بول ماير", "ماير"]
[actors.descriptions]
fr = ["ministre des Transports"]
[[media]]
id = "afp"
label = "AFP"
[media.names]
fr = ["AFP", "l'AFP"]
ar = ["فرانس برس"]
)";

struct Fixture {
  std::shared_ptr<const text::LanguageRegistry> langs = std::make_shared<const text::LanguageRegistry>(
      text::LanguageRegistry::from_directory(std::string(QUOTEFRAME_DATA_DIR) + "/lang"));
  std::shared_ptr<const codebook::Codebook> cb =
      std::make_shared<const codebook::Codebook>(codebook::parse_codebook(kCodebook, "test.toml"));
  quotes::Extractor ex{langs, cb};
  text::Pipeline pipe{langs};

  struct Out {
    std::string text, type, actor, speaker, source, attribution;
    int parent;
  };
  std::vector<Out> run(const std::string& body, const std::string& lang) {
    text::Document d = pipe.process("t", "Titre\n" + body, lang);
    std::vector<Out> out;
    for (const auto& q : ex.extract(d)) {
      out.push_back(Out{d.slice(q.begin, q.end), quotes::type_name(q.type),
                        q.actor >= 0 ? cb->actors[static_cast<std::size_t>(q.actor)].id : "", q.speaker, q.source,
                        quotes::attribution_name(q.attribution), q.parent});
    }
    return out;
  }
};

}  // namespace

TEST_CASE("French reported speech, every order", "[quotes][fr]") {
  Fixture f;
  struct Case { const char* body; const char* text; const char* type; const char* actor; const char* attribution; };
  const Case cases[] = {
      {"Anne Roux a déclaré que la grève était terminée.", "la grève était terminée", "indirect", "anne_roux", "explicit"},
      {"Selon Paul Meyer, les trains circuleront demain.", "les trains circuleront demain", "indirect", "paul_meyer", "explicit"},
      {"Les trains circuleront demain, a assuré Paul Meyer.", "Les trains circuleront demain", "indirect", "paul_meyer", "explicit"},
      {"« Nous ne céderons pas », a déclaré Anne Roux, citée par l'AFP.", "Nous ne céderons pas", "direct", "anne_roux", "explicit"},
      {"Paul Meyer a déclaré : « Le dialogue reste ouvert. »", "Le dialogue reste ouvert.", "direct", "paul_meyer", "explicit"},
      {"Le ministre des Transports a déclaré que les négociations reprendraient.", "les négociations reprendraient", "indirect", "paul_meyer", "role"},
      {"« C'est inacceptable », a-t-il lancé.", "C'est inacceptable", "direct", "", "pronoun"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    const auto out = f.run(c.body, "fr");
    REQUIRE(out.size() == 1);
    CHECK(out[0].text == c.text);
    CHECK(out[0].type == c.type);
    CHECK(out[0].actor == c.actor);
    CHECK(out[0].attribution == c.attribution);
  }
}

TEST_CASE("Pronouns and role nouns resolve to earlier speakers", "[quotes][fr]") {
  Fixture f;
  const auto out = f.run(
      "Paul Meyer a déclaré que le plan était prêt. Anne Roux a répondu que rien n'était signé.\n"
      "« Nous attendons des actes », a-t-elle ajouté.\n"
      "« Le calendrier sera tenu », a affirmé le ministre.",
      "fr");
  REQUIRE(out.size() == 4);
  CHECK(out[2].actor == "anne_roux");
  CHECK(out[2].attribution == "pronoun");
  CHECK(out[3].actor == "paul_meyer");
  CHECK(out[3].attribution == "role");
}

TEST_CASE("Relaying media are sources, never speakers", "[quotes][fr]") {
  Fixture f;
  const auto out = f.run("« Tout est prêt », a déclaré Paul Meyer, cité par l'AFP.", "fr");
  REQUIRE(out.size() == 1);
  CHECK(out[0].actor == "paul_meyer");
  CHECK(out[0].source == "afp");
}

TEST_CASE("Mixed quotes hold nested fragments; scare quotes in narration are not quotes", "[quotes][fr]") {
  Fixture f;
  auto out = f.run("Anne Roux a déclaré que le plan était « mort-né » et « irréaliste ».", "fr");
  REQUIRE(out.size() == 3);
  CHECK(out[0].type == "mixed");
  CHECK(out[1].parent == 0);
  CHECK(out[2].parent == 0);
  out = f.run("Le projet dit « de modernisation » a été présenté mardi.", "fr");
  CHECK(out.empty());
}

TEST_CASE("A quote whose marks reopen at each paragraph is one quote", "[quotes][fr]") {
  Fixture f;
  const auto out = f.run("Anne Roux a déclaré : « Premier paragraphe du discours.\n« Second paragraphe. »", "fr");
  REQUIRE(out.size() == 1);
  CHECK(out[0].text == "Premier paragraphe du discours.\n« Second paragraphe.");
}

TEST_CASE("An unclosed mark stops at its paragraph end", "[quotes][fr]") {
  Fixture f;
  const auto out = f.run("« Ceci ne se ferme jamais, a dit Paul Meyer.\nLa suite est de la narration.", "fr");
  for (const auto& q : out) CHECK(q.text.find("narration") == std::string::npos);
}

TEST_CASE("An incise splits a quotation in two", "[quotes][fr]") {
  Fixture f;
  const auto out = f.run("« Nous irons jusqu'au bout, a prévenu Anne Roux. Personne ne nous arrêtera. »", "fr");
  REQUIRE(out.size() == 2);
  CHECK(out[0].text == "Nous irons jusqu'au bout");
  CHECK(out[1].text == "Personne ne nous arrêtera.");
  CHECK(out[0].actor == "anne_roux");
  CHECK(out[1].actor == "anne_roux");
}

TEST_CASE("Narration is not speech", "[quotes][fr]") {
  Fixture f;
  CHECK(f.run("Le train est parti à huit heures, puis il est arrivé à Lyon.", "fr").empty());
  CHECK(f.run("C'est ce que les habitants attendaient depuis des années.", "fr").empty());
}

TEST_CASE("Arabic reported speech and gendered verbs", "[quotes][ar]") {
  Fixture f;
  auto out = f.run("وقالت رو إن الإضراب انتهى.", "ar");
  REQUIRE(out.size() == 1);
  CHECK(out[0].actor == "anne_roux");
  CHECK(out[0].text == "الإضراب انتهى");
  out = f.run("ووفقا لماير، فإن القطارات ستعمل غدا.", "ar");
  REQUIRE(out.size() == 1);
  CHECK(out[0].actor == "paul_meyer");
  CHECK(out[0].text == "القطارات ستعمل غدا");
  // The verb alone carries the subject: the previous speaker continues.
  out = f.run("وقال ماير إن الخطة جاهزة.\nوأضاف \"لن نتراجع عن الخطة\".", "ar");
  REQUIRE(out.size() == 2);
  CHECK(out[1].actor == "paul_meyer");
  CHECK(out[1].attribution == "pronoun");
  // A relay pronoun (عنها, "from her") outweighs a verb ending.
  out = f.run("وقالت رو إن الخطة فاشلة. وقال ماير إنها ناجحة.\nوقال \"لن نتراجع عن الخطة\"، كما نقلت عنها وكالة فرانس برس.", "ar");
  REQUIRE(out.size() == 3);
  CHECK(out[2].actor == "anne_roux");
  CHECK(out[2].source == "afp");
}
