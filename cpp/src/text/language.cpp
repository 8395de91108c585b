#include "quoteframe/text/language.hpp"

#include <algorithm>
#include <unordered_set>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>

#include "quoteframe/errors.hpp"
#include "quoteframe/text/normalize.hpp"
#include "quoteframe/util/toml.hpp"

namespace quoteframe::text {

LanguageData parse_language(std::string_view toml_text, const std::string& source) {
  const util::Value root = util::parse_toml(toml_text, source);
  util::TableReader top(root, source, "");
  LanguageData d;
  d.source = source;

  const util::Value* lang = top.table("language");
  if (!lang) throw ConfigError(source, 1, "language", "missing required table [language]");
  util::TableReader lr(*lang, source, "language");
  d.code = lr.required_string("code");
  d.name = lr.optional_string("name").value_or(d.code);
  d.script = lr.required_string("script");
  d.icu_locale = lr.optional_string("icu_locale").value_or(d.code);
  static const std::unordered_set<std::string> scripts = {"latin", "arabic", "cyrillic", "greek",
                                                          "hebrew", "other"};
  if (!scripts.count(d.script))
    lr.fail(lang->line, "script", "unknown script '" + d.script +
                                      "' (latin, arabic, cyrillic, greek, hebrew, other)");
  lr.finish();

  if (const util::Value* t = top.table("text")) {
    util::TableReader tr(*t, source, "text");
    d.abbreviations = tr.string_list("abbreviations");
    d.elisions = tr.string_list("elisions");
    d.function_words = tr.string_list("function_words");
    tr.finish();
  }
  if (const util::Value* q = top.table("quotes")) {
    util::TableReader qr(*q, source, "quotes");
    d.speech_verbs = qr.string_list("speech_verbs");
    d.speech_verbs_female = qr.string_list("speech_verbs_female");
    d.speech_verbs_male = qr.string_list("speech_verbs_male");
    d.speech_verbs_plural = qr.string_list("speech_verbs_plural");
    d.object_verbs = qr.string_list("object_verbs");
    d.participle_cues = qr.string_list("participle_cues");
    d.auxiliaries = qr.string_list("auxiliaries");
    d.complementizers = qr.string_list("complementizers");
    d.fused_complementizers = qr.string_list("fused_complementizers");
    d.complementizer_blockers = qr.string_list("complementizer_blockers");
    d.according_to = qr.string_list("according_to");
    d.relative_cues = qr.string_list("relative_cues");
    d.source_cues = qr.string_list("source_cues");
    d.source_cues_female = qr.string_list("source_cues_female");
    d.source_cues_male = qr.string_list("source_cues_male");
    d.subject_after_verb = qr.boolean("subject_after_verb", false);
    d.zero_complementizer = qr.boolean("zero_complementizer", false);
    d.clitic_prefixes = qr.string_list("clitic_prefixes");
    d.pronouns_female = qr.string_list("pronouns_female");
    d.pronouns_male = qr.string_list("pronouns_male");
    d.pronouns_plural = qr.string_list("pronouns_plural");
    d.speech_nouns = qr.string_list("speech_nouns");
    if (const util::Value* roles = qr.table("roles")) {
      util::TableReader rr(*roles, source, "quotes.roles");
      for (const auto& kv : roles->table) d.roles[kv.first] = rr.string_list(kv.first);
      rr.finish();
    }
    qr.finish();
  }
  top.finish();
  return d;
}

LanguageData load_language(const std::string& path) {
  return parse_language(util::read_config_file(path), path);
}

LanguageRegistry LanguageRegistry::from_directory(const std::string& dir) {
  LanguageRegistry reg;
  for (const auto& f : util::toml_files(dir, "language data")) reg.add(load_language(f));
  return reg;
}

namespace {
// Detection compares simply lower-cased words (cheap, and enough to tell
// function words apart); Arabic hamza forms are folded like text.
void lower_word(const char16_t* s, std::size_t n, std::u16string& out) {
  out.clear();
  for (std::size_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(s, i, n, c);
    if (c < 0x80) {  // ASCII: no property lookup
      out.push_back(static_cast<char16_t>(c >= u'A' && c <= u'Z' ? c + 32 : c));
      continue;
    }
    c = u_tolower(c);
    const int32_t m = postmap_char(c);
    if (m < 0) continue;
    if (m <= 0xFFFF) out.push_back(static_cast<char16_t>(m));
    else { out.push_back(static_cast<char16_t>(U16_LEAD(m))); out.push_back(static_cast<char16_t>(U16_TRAIL(m))); }
  }
}
}  // namespace

void LanguageRegistry::add(LanguageData data) {
  std::string code = data.code;
  langs_[code] = std::make_shared<const LanguageData>(std::move(data));
  index_function_words();
}

void LanguageRegistry::index_function_words() {
  function_words_.clear();
  uint32_t bit = 1;
  for (const auto& kv : langs_) {
    for (const auto& w : kv.second->function_words) {
      icu::UnicodeString u = icu::UnicodeString::fromUTF8(w);
      std::u16string lw;
      lower_word(reinterpret_cast<const char16_t*>(u.getBuffer()), static_cast<std::size_t>(u.length()), lw);
      function_words_[lw] |= bit;
    }
    bit <<= 1;
  }
}

const LanguageData* LanguageRegistry::find(std::string_view code) const noexcept {
  auto it = langs_.find(code);
  return it == langs_.end() ? nullptr : it->second.get();
}

std::vector<std::string> LanguageRegistry::codes() const {
  std::vector<std::string> out;
  for (const auto& kv : langs_) out.push_back(kv.first);
  return out;
}


namespace {

// Cheap script classes for detection: no ICU property lookups per character.
enum class Script : uint8_t { None, Latin, Arabic, Cyrillic, Greek, Hebrew, Other };

Script script_of(char16_t c) {
  if (c < 0x80) return ((c | 0x20) >= u'a' && (c | 0x20) <= u'z') ? Script::Latin : Script::None;
  if (c < 0x250) return (c >= 0xC0 && c != 0xD7 && c != 0xF7) ? Script::Latin : Script::None;
  if (c >= 0x370 && c < 0x400) return Script::Greek;
  if (c >= 0x400 && c < 0x530) return Script::Cyrillic;
  if (c >= 0x590 && c < 0x600) return Script::Hebrew;
  if ((c >= 0x600 && c < 0x700) || (c >= 0x750 && c < 0x780) || (c >= 0xFB50 && c < 0xFE00) ||
      (c >= 0xFE70 && c < 0xFF00))
    return (c >= 0x660 && c <= 0x669) || c == 0x60C || c == 0x61B || c == 0x61F || c == 0x640 ? Script::None
                                                                                            : Script::Arabic;
  if (c >= 0x1E00 && c < 0x1F00) return Script::Latin;
  if (U16_IS_SURROGATE(c)) return Script::None;
  return u_isalpha(c) ? Script::Other : Script::None;
}

const char* script_name(Script s) {
  switch (s) {
    case Script::Latin: return "latin";
    case Script::Arabic: return "arabic";
    case Script::Cyrillic: return "cyrillic";
    case Script::Greek: return "greek";
    case Script::Hebrew: return "hebrew";
    default: return "other";
  }
}

// Arabic harakat inside words do not split them.
bool is_mark(char16_t c) { return (c >= 0x64B && c <= 0x65F) || c == 0x670 || (c >= 0x300 && c < 0x370); }

}  // namespace

std::string detect_language(std::u16string_view text, const LanguageRegistry& langs) {
  // A few thousand characters identify a language; reading more costs time.
  const std::size_t n = std::min<std::size_t>(text.size(), 2000);
  int counts[7] = {0, 0, 0, 0, 0, 0, 0};
  int letters = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Script s = script_of(text[i]);
    if (s == Script::None) continue;
    ++counts[static_cast<int>(s)];
    ++letters;
  }
  if (letters < 20) return "und";
  int best = 1;
  for (int k = 2; k < 7; ++k)
    if (counts[k] > counts[best]) best = k;
  if (counts[best] * 2 < letters) return "und";  // no script holds a majority
  const std::string script = script_name(static_cast<Script>(best));

  // Function words among the languages written in that script.
  const std::vector<std::string> codes = langs.codes();
  std::vector<const LanguageData*> candidates;
  std::vector<std::size_t> bits;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const LanguageData* l = langs.find(codes[i]);
    if (l->script == script) {
      candidates.push_back(l);
      bits.push_back(i);
    }
  }
  if (candidates.empty()) return "und";
  if (candidates.size() == 1) return candidates[0]->code;

  const auto& index = langs.function_words();
  std::vector<int> hits(candidates.size(), 0);
  thread_local std::u16string word;
  // Stop reading once one language leads clearly: 12 hits and three times
  // the runner-up (the final rule below asks for 3 and 1.5 times).
  bool decided = false;
  auto flush = [&](std::size_t start, std::size_t end) {
    // Function words are short: longer words cannot be one.
    if (end - start > 12) return;
    lower_word(text.data() + start, end - start, word);
    auto it = index.find(word);
    if (it == index.end()) return;
    int top = 0, next = 0;
    for (std::size_t k = 0; k < bits.size(); ++k) {
      hits[k] += (it->second >> bits[k]) & 1u;
      if (hits[k] > top) { next = top; top = hits[k]; } else if (hits[k] > next) { next = hits[k]; }
    }
    decided = top >= 12 && top >= 3 * next;
  };
  std::size_t start = n;
  for (std::size_t i = 0; i < n && !decided; ++i) {
    if (script_of(text[i]) != Script::None || (start < i && is_mark(text[i]))) {
      if (start == n) start = i;
    } else if (start != n) {
      flush(start, i);
      start = n;
    }
  }
  if (start != n && !decided) flush(start, n);
  std::size_t win = 0;
  for (std::size_t k = 1; k < hits.size(); ++k)
    if (hits[k] > hits[win]) win = k;
  int second = 0;
  for (std::size_t k = 0; k < hits.size(); ++k)
    if (k != win) second = std::max(second, hits[k]);
  // A clear win: at least 3 hits and 1.5 times the runner-up.
  if (hits[win] < 3 || hits[win] * 2 < second * 3) return "und";
  return candidates[win]->code;
}

}  // namespace quoteframe::text
