#include "quoteframe/scoring/lexicon.hpp"

#include <algorithm>
#include <cmath>

#include "quoteframe/errors.hpp"
#include "quoteframe/util/toml.hpp"

namespace quoteframe::scoring {
namespace {

// A polarity list: strings (strength 1) or { pattern = "...", strength = x }.
std::vector<codebook::Pattern> polarity_list(util::TableReader& r, std::string_view key) {
  std::vector<codebook::Pattern> out;
  const util::Value* v = r.get(key);
  if (!v) return out;
  if (v->kind != util::Value::Kind::Array)
    r.fail(v->line, key, std::string("expected an array, got ") + util::kind_name(v->kind));
  for (std::size_t i = 0; i < v->array.size(); ++i) {
    const util::Value& e = v->array[i];
    const std::string field = r.field(key) + "[" + std::to_string(i) + "]";
    auto fail = [&](const std::string& problem) { throw ConfigError(r.source(), e.line, field, problem); };
    codebook::Pattern p;
    p.line = e.line;
    if (e.kind == util::Value::Kind::String) {
      p.text = e.str;
    } else if (e.kind == util::Value::Kind::Table) {
      util::TableReader er(e, r.source(), field);
      p.text = er.required_string("pattern");
      p.weight = er.number("strength", 1.0);
      er.finish();
    } else {
      fail(std::string("expected a string or { pattern, strength }, got ") + util::kind_name(e.kind));
    }
    if (p.text.find_first_not_of(" \t") == std::string::npos) fail("empty pattern");
    if (!std::isfinite(p.weight) || p.weight <= 0 || p.weight > 10) fail("strength must be a number in (0, 10]");
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

LexiconData parse_lexicon(std::string_view toml_text, const std::string& source) {
  const util::Value root = util::parse_toml(toml_text, source);
  util::TableReader top(root, source, "");
  const util::Value* lex = top.table("lexicon");
  if (!lex) throw ConfigError(source, 1, "lexicon", "missing required table [lexicon]");
  top.finish();
  util::TableReader r(*lex, source, "lexicon");
  LexiconData d;
  d.source = source;
  d.language = r.required_string("language");
  d.positive = polarity_list(r, "positive");
  d.negative = polarity_list(r, "negative");
  d.negators = r.string_list("negators");
  d.intensifiers = r.string_list("intensifiers");
  d.diminishers = r.string_list("diminishers");
  d.hedges = r.string_list("hedges");
  d.distancing = r.string_list("distancing");
  d.contrast = r.string_list("contrast");
  d.counterfactual = r.string_list("counterfactual");
  d.shifters = r.string_list("shifters");
  d.situational = r.string_list("situational");
  d.directives = r.string_list("directives");
  d.continuations = r.string_list("continuations");
  r.finish();
  return d;
}

LexiconData load_lexicon(const std::string& path) { return parse_lexicon(util::read_config_file(path), path); }

LexiconRegistry LexiconRegistry::from_directory(const std::string& dir) {
  LexiconRegistry reg;
  for (const auto& f : util::toml_files(dir, "lexicon")) reg.add(load_lexicon(f));
  return reg;
}

void LexiconRegistry::add(LexiconData data) {
  std::string code = data.language;
  lex_[code] = std::make_shared<const LexiconData>(std::move(data));
}

const LexiconData* LexiconRegistry::find(std::string_view code) const noexcept {
  auto it = lex_.find(code);
  return it == lex_.end() ? nullptr : it->second.get();
}

std::vector<std::string> LexiconRegistry::codes() const {
  std::vector<std::string> out;
  for (const auto& kv : lex_) out.push_back(kv.first);
  return out;
}

}  // namespace quoteframe::scoring
