#include "quoteframe/codebook/codebook.hpp"

#include <cmath>
#include <set>
#include <unordered_map>

#include "quoteframe/errors.hpp"
#include "quoteframe/util/toml.hpp"

namespace quoteframe::codebook {

namespace {

using util::TableReader;
using util::Value;

bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The line of `key` inside `table`, or the table's own line when absent.
int line_of(const Value& table, std::string_view key) {
  const Value* v = table.find(key);
  return v != nullptr ? v->line : table.line;
}

std::string with_index(std::string path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

class Loader {
 public:
  Loader(const std::string& source, Codebook& cb) : source_(source), cb_(cb) {}

  void load(const Value& root) {
    // Unknown top-level keys are reported before anything else: a misspelt
    // section name ([[actor]]) explains the errors that would follow it.
    TableReader top(root, source_, "");
    const Value* header = top.table("codebook");
    const auto sides = top.array_of_tables("sides");
    const auto actors = top.array_of_tables("actors");
    const auto media = top.array_of_tables("media");
    const auto targets = top.array_of_tables("targets");
    const auto frames = top.array_of_tables("frames");
    const Value* lexicon = top.table("lexicon");
    top.finish();

    if (header == nullptr)
      throw ConfigError(source_, 0, "codebook",
                        "the [codebook] table is missing (it declares name and languages)");
    read_header(*header);
    for (std::size_t i = 0; i < sides.size(); ++i) read_side(*sides[i], with_index("sides", i));
    for (std::size_t i = 0; i < actors.size(); ++i) read_actor(*actors[i], with_index("actors", i));
    for (std::size_t i = 0; i < media.size(); ++i) read_medium(*media[i], with_index("media", i));
    for (std::size_t i = 0; i < targets.size(); ++i) read_target(*targets[i], with_index("targets", i));
    for (std::size_t i = 0; i < frames.size(); ++i) read_frame(*frames[i], with_index("frames", i));
    if (lexicon != nullptr) {
      TableReader r(*lexicon, source_, "lexicon");
      cb_.positive = read_patterns(r, "positive", true);
      cb_.negative = read_patterns(r, "negative", true);
      r.finish();
    }
    if (!cb_.default_target.empty() && cb_.find_target(cb_.default_target) == nullptr) {
      std::vector<std::string> ids;
      for (const Target& t : cb_.targets) ids.push_back(t.id);
      throw ConfigError(source_, line_of(*header, "default_target"), "codebook.default_target",
                        "'" + cb_.default_target + "' is not a declared target; declared: " + join(ids));
    }
  }

 private:
  // ---- checks ----------------------------------------------------------------
  // Ids: lower-case ASCII letters, digits and '_' (and '-' for the codebook
  // name), so they are safe as column values, file names and Python keys.
  void check_id(const std::string& id, int line, const std::string& field, bool allow_dash) const {
    if (id.empty()) throw ConfigError(source_, line, field, "must not be empty");
    if (id.size() > kMaxIdBytes)
      throw ConfigError(source_, line, field, "longer than " + std::to_string(kMaxIdBytes) + " characters");
    for (char c : id) {
      if (!is_lower_or_digit(c) && c != '_' && !(allow_dash && c == '-'))
        throw ConfigError(source_, line, field,
                          "'" + id + "' is not a valid id: use lower-case letters a-z, digits and '_'" +
                              (allow_dash ? " or '-'" : ""));
    }
  }

  // Language codes such as "fr", "ar", "pt-BR", "zh-Hans".
  static bool valid_language(const std::string& code) {
    std::size_t i = 0;
    while (i < code.size() && code[i] >= 'a' && code[i] <= 'z') ++i;
    if (i < 2 || i > 3) return false;
    while (i < code.size()) {
      if (code[i] != '-') return false;
      std::size_t j = ++i;
      while (j < code.size() && ((code[j] >= 'a' && code[j] <= 'z') || (code[j] >= 'A' && code[j] <= 'Z') ||
                                  (code[j] >= '0' && code[j] <= '9')))
        ++j;
      if (j - i < 2 || j - i > 8) return false;
      i = j;
    }
    return true;
  }

  // Validates one surface form or pattern and returns it trimmed.
  std::string check_pattern(const std::string& raw, int line, const std::string& field) {
    std::size_t b = 0, e = raw.size();
    while (b < e && is_ascii_space(raw[b])) ++b;
    while (e > b && is_ascii_space(raw[e - 1])) --e;
    std::string text = raw.substr(b, e - b);
    if (text.empty()) throw ConfigError(source_, line, field, "empty pattern");
    std::size_t chars = 0, words = 0;
    bool in_word = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) {
        if (c != ' ' && c != '\t')
          throw ConfigError(source_, line, field, "a pattern must be one line of text without control characters");
      }
      if ((u & 0xC0) != 0x80) ++chars;
      if (is_ascii_space(c)) {
        in_word = false;
      } else if (!in_word) {
        in_word = true;
        ++words;
      }
      if (c == '*') {
        const bool ends_word = i + 1 == text.size() || is_ascii_space(text[i + 1]);
        const bool after_letters = i > 0 && !is_ascii_space(text[i - 1]) && text[i - 1] != '*';
        if (!ends_word || !after_letters)
          throw ConfigError(source_, line, field,
                            "'*' may only end a word, as a prefix wildcard (\"legitim*\"): '" + text + "'");
      }
    }
    if (chars > kMaxPatternChars)
      throw ConfigError(source_, line, field,
                        "pattern longer than " + std::to_string(kMaxPatternChars) + " characters");
    if (words > kMaxPatternWords)
      throw ConfigError(source_, line, field,
                        "pattern of more than " + std::to_string(kMaxPatternWords) + " words");
    if (++patterns_ > kMaxPatterns)
      throw ConfigError(source_, line, field,
                        "more than " + std::to_string(kMaxPatterns) + " patterns in the codebook");
    return text;
  }

  // ---- per-language lists ---------------------------------------------------
  // `key` is a table of language code -> array; `read_one` turns one element
  // into a T and reports its trimmed text (for duplicate detection).
  template <class T, class ReadOne>
  PerLanguage<T> read_per_language(TableReader& r, std::string_view key, const char* what,
                                   ReadOne read_one) {
    PerLanguage<T> out;
    const Value* table = r.table(key);
    if (table == nullptr) return out;
    const std::string base = r.field(key);
    for (const auto& [lang, list] : table->table) {
      const std::string field = base + "." + util::display_key(lang);
      if (languages_.count(lang) == 0)
        throw ConfigError(source_, list.line, field,
                          "language '" + lang + "' is not declared in codebook.languages (" +
                              join(cb_.languages) + ")");
      if (list.kind != Value::Kind::Array)
        throw ConfigError(source_, list.line, field,
                          std::string("expected an array of ") + what + ", got " + util::kind_name(list.kind));
      std::vector<T>& items = out[lang];
      std::unordered_map<std::string, int> seen;  // text -> line
      for (std::size_t i = 0; i < list.array.size(); ++i) {
        const Value& element = list.array[i];
        const std::string element_field = with_index(field, i);
        T item = read_one(element, element_field);
        const std::string& text = text_of(item);
        auto [it, fresh] = seen.emplace(text, element.line);
        if (!fresh)
          throw ConfigError(source_, element.line, element_field,
                            "duplicate entry '" + text + "' (already on line " + std::to_string(it->second) + ")");
        items.push_back(std::move(item));
      }
    }
    return out;
  }

  static const std::string& text_of(const std::string& s) { return s; }
  static const std::string& text_of(const Pattern& p) { return p.text; }

  // Names and descriptions: plain strings.
  PerLanguage<std::string> read_forms(TableReader& r, std::string_view key) {
    return read_per_language<std::string>(r, key, "strings", [&](const Value& v, const std::string& field) {
      if (v.kind != Value::Kind::String)
        throw ConfigError(source_, v.line, field, std::string("expected a string, got ") + util::kind_name(v.kind));
      return check_pattern(v.str, v.line, field);
    });
  }

  // Patterns: "text" or { pattern = "text", weight = 0.5 }. Lexicon entries
  // call the weight `strength`, like the general lexicon files they are
  // merged into; `weight` is accepted there too, but not both at once.
  PerLanguage<Pattern> read_patterns(TableReader& r, std::string_view key, bool lexicon = false) {
    return read_per_language<Pattern>(r, key, "patterns", [&](const Value& v, const std::string& field) {
      Pattern p;
      p.line = v.line;
      if (v.kind == Value::Kind::String) {
        p.text = check_pattern(v.str, v.line, field);
        return p;
      }
      if (v.kind != Value::Kind::Table)
        throw ConfigError(source_, v.line, field,
                          std::string("expected a pattern (\"text\" or { pattern = \"text\", weight = 0.5 }), got ") +
                              util::kind_name(v.kind));
      TableReader pr(v, source_, field);
      p.text = check_pattern(pr.required_string("pattern"), line_of(v, "pattern"), pr.field("pattern"));
      std::string_view weight_key = "weight";
      if (lexicon && v.find("weight") == nullptr) weight_key = "strength";
      if (lexicon && v.find("weight") != nullptr && v.find("strength") != nullptr)
        pr.fail(line_of(v, "strength"), "strength", "give either strength or weight, not both");
      p.weight = pr.number(weight_key, 1.0);
      if (!std::isfinite(p.weight) || p.weight < 0.0)
        pr.fail(line_of(v, weight_key), weight_key, "must be a finite number >= 0");
      pr.finish();
      return p;
    });
  }

  // ---- sections ----------------------------------------------------------------
  void read_header(const Value& table) {
    TableReader r(table, source_, "codebook");
    cb_.name = r.required_string("name");
    check_id(cb_.name, line_of(table, "name"), "codebook.name", true);
    cb_.title = r.optional_string("title").value_or("");
    cb_.description = r.optional_string("description").value_or("");
    if (table.find("languages") == nullptr) r.fail(table.line, "languages", "required key is missing");
    cb_.languages = r.string_list("languages");
    const Value& list = *table.find("languages");
    if (cb_.languages.empty())
      r.fail(list.line, "languages", "declare at least one language code, e.g. [\"en\"]");
    for (std::size_t i = 0; i < cb_.languages.size(); ++i) {
      const std::string& code = cb_.languages[i];
      const std::string field = with_index("codebook.languages", i);
      if (!valid_language(code))
        throw ConfigError(source_, list.array[i].line, field,
                          "'" + code + "' is not a language code (use ISO 639 codes such as \"fr\" or \"pt-BR\")");
      if (!languages_.insert(code).second)
        throw ConfigError(source_, list.array[i].line, field, "language '" + code + "' is listed twice");
    }
    cb_.default_target = r.optional_string("default_target").value_or("");
    r.finish();
  }

  // Reads `id` and `label` (label defaults to the id) and rejects duplicates.
  template <class Item>
  void read_identity(TableReader& r, const Value& table, Item& item, const char* section,
                     std::unordered_map<std::string, int>& seen) {
    item.line = table.line;
    item.id = r.required_string("id");
    const int id_line = line_of(table, "id");
    check_id(item.id, id_line, r.field("id"), false);
    auto [it, fresh] = seen.emplace(item.id, id_line);
    if (!fresh)
      r.fail(id_line, "id",
             std::string("duplicate ") + section + " id '" + item.id + "' (first on line " +
                 std::to_string(it->second) + ")");
    item.label = r.optional_string("label").value_or(item.id);
    if (item.label.empty()) r.fail(line_of(table, "label"), "label", "must not be empty (omit it to use the id)");
  }

  void read_side(const Value& table, const std::string& path) {
    TableReader r(table, source_, path);
    Side side;
    read_identity(r, table, side, "side", side_ids_);
    r.finish();
    cb_.sides.push_back(std::move(side));
  }

  void read_actor(const Value& table, const std::string& path) {
    TableReader r(table, source_, path);
    Actor a;
    read_identity(r, table, a, "actor", actor_ids_);
    a.side = r.optional_string("side").value_or("");
    a.kind = r.optional_string("kind").value_or("person");
    const std::string gender = r.optional_string("gender").value_or("unknown");
    a.roles = r.string_list("roles");
    a.names = read_forms(r, "names");
    a.descriptions = read_forms(r, "descriptions");
    r.finish();

    if (!a.side.empty() && side_ids_.count(a.side) == 0) {
      std::vector<std::string> ids;
      for (const Side& s : cb_.sides) ids.push_back(s.id);
      r.fail(line_of(table, "side"), "side",
             "'" + a.side + "' is not a declared side; declared: " + join(ids) +
                 " (declare it under [[sides]] or omit the key)");
    }
    static const std::set<std::string> kKinds = {"person", "organisation", "country", "group", "media"};
    if (kKinds.count(a.kind) == 0)
      r.fail(line_of(table, "kind"), "kind",
             "'" + a.kind + "' is not one of person, organisation, country, group, media");
    if (gender == "unknown") a.gender = Gender::Unknown;
    else if (gender == "female") a.gender = Gender::Female;
    else if (gender == "male") a.gender = Gender::Male;
    else if (gender == "plural") a.gender = Gender::Plural;
    else r.fail(line_of(table, "gender"), "gender", "'" + gender + "' is not one of female, male, plural, unknown");
    if (!a.roles.empty()) {
      const Value& list = *table.find("roles");
      for (std::size_t i = 0; i < a.roles.size(); ++i)
        check_id(a.roles[i], list.array[i].line, with_index(r.field("roles"), i), false);
    }
    if (count(a.names) + count(a.descriptions) == 0)
      r.fail(table.line, "names",
             "actor '" + a.id + "' has no names or descriptions in any language, so it can never be found");
    cb_.actors.push_back(std::move(a));
  }

  void read_medium(const Value& table, const std::string& path) {
    TableReader r(table, source_, path);
    Medium m;
    read_identity(r, table, m, "medium", medium_ids_);
    m.names = read_forms(r, "names");
    r.finish();
    if (count(m.names) == 0)
      r.fail(table.line, "names", "medium '" + m.id + "' has no names in any language, so it can never be found");
    cb_.media.push_back(std::move(m));
  }

  void read_target(const Value& table, const std::string& path) {
    TableReader r(table, source_, path);
    Target t;
    read_identity(r, table, t, "target", target_ids_);
    t.patterns = read_patterns(r, "patterns");
    r.finish();
    cb_.targets.push_back(std::move(t));
  }

  void read_frame(const Value& table, const std::string& path) {
    TableReader r(table, source_, path);
    Frame f;
    read_identity(r, table, f, "frame", frame_ids_);
    f.description = r.optional_string("description").value_or("");
    f.patterns = read_patterns(r, "patterns");
    r.finish();
    cb_.frames.push_back(std::move(f));
  }

  template <class T>
  static std::size_t count(const PerLanguage<T>& m) {
    std::size_t n = 0;
    for (const auto& entry : m) n += entry.second.size();
    return n;
  }

  const std::string& source_;
  Codebook& cb_;
  std::set<std::string> languages_;
  std::size_t patterns_ = 0;
  std::unordered_map<std::string, int> side_ids_, actor_ids_, medium_ids_, target_ids_, frame_ids_;
};

template <class T>
const T* find_by_id(const std::vector<T>& items, std::string_view id) {
  for (const T& item : items)
    if (item.id == id) return &item;
  return nullptr;
}

}  // namespace

const Side* Codebook::find_side(std::string_view id) const { return find_by_id(sides, id); }
const Actor* Codebook::find_actor(std::string_view id) const { return find_by_id(actors, id); }
const Target* Codebook::find_target(std::string_view id) const { return find_by_id(targets, id); }
const Frame* Codebook::find_frame(std::string_view id) const { return find_by_id(frames, id); }

const char* gender_name(Gender gender) {
  switch (gender) {
    case Gender::Female: return "female";
    case Gender::Male: return "male";
    case Gender::Plural: return "plural";
    case Gender::Unknown: break;
  }
  return "unknown";
}

Codebook parse_codebook(std::string_view toml_text, const std::string& source_name) {
  const Value root = util::parse_toml(toml_text, source_name);
  Codebook cb;
  cb.source = source_name;
  Loader(source_name, cb).load(root);
  cb.toml_text = std::string(toml_text);
  return cb;
}

Codebook load_codebook(const std::string& path) {
  return parse_codebook(util::read_config_file(path), path);
}

}  // namespace quoteframe::codebook
