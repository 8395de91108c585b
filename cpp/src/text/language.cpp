#include "quoteframe/text/language.hpp"

#include <algorithm>
#include <dirent.h>
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
  DIR* dp = opendir(dir.c_str());
  if (!dp) throw ConfigError(dir, 0, "", "cannot open the language data folder");
  std::vector<std::string> files;
  while (dirent* e = readdir(dp)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0) files.push_back(name);
  }
  closedir(dp);
  std::sort(files.begin(), files.end());
  for (const auto& f : files) reg.add(load_language(dir + "/" + f));
  return reg;
}

void LanguageRegistry::add(LanguageData data) {
  std::string code = data.code;
  langs_[code] = std::make_shared<const LanguageData>(std::move(data));
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

const char* script_name(UScriptCode s) {
  switch (s) {
    case USCRIPT_LATIN: return "latin";
    case USCRIPT_ARABIC: return "arabic";
    case USCRIPT_CYRILLIC: return "cyrillic";
    case USCRIPT_GREEK: return "greek";
    case USCRIPT_HEBREW: return "hebrew";
    default: return "other";
  }
}

}  // namespace

std::string detect_language(std::u16string_view text, const LanguageRegistry& langs) {
  // 1. The dominant script among letters.
  std::map<std::string, int> script_letters;
  int letters = 0;
  const int32_t n = static_cast<int32_t>(std::min<std::size_t>(text.size(), 40000));
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(text.data(), i, n, c);
    if (!u_isalpha(c)) continue;
    UErrorCode st = U_ZERO_ERROR;
    const UScriptCode sc = uscript_getScript(c, &st);
    if (U_FAILURE(st)) continue;
    ++script_letters[script_name(sc)];
    ++letters;
  }
  if (letters < 20) return "und";
  std::string script;
  int best = 0;
  for (const auto& kv : script_letters)
    if (kv.second > best) { best = kv.second; script = kv.first; }
  if (best * 2 < letters) return "und";  // no script holds a majority

  // 2. Function words among the languages written in that script.
  std::vector<const LanguageData*> candidates;
  for (const auto& code : langs.codes()) {
    const LanguageData* l = langs.find(code);
    if (l->script == script) candidates.push_back(l);
  }
  if (candidates.empty()) return "und";
  if (candidates.size() == 1) return candidates[0]->code;

  const Folder& folder = Folder::shared();
  std::vector<std::unordered_set<std::u16string>> sets;
  for (const auto* l : candidates) {
    std::unordered_set<std::u16string> s;
    for (const auto& w : l->function_words) {
      const std::string f = folder.fold_utf8(w);
      icu::UnicodeString u = icu::UnicodeString::fromUTF8(f);
      s.emplace(reinterpret_cast<const char16_t*>(u.getBuffer()), static_cast<std::size_t>(u.length()));
    }
    sets.push_back(std::move(s));
  }
  std::vector<int> hits(candidates.size(), 0);
  std::u16string word;
  icu::UnicodeString scratch;
  auto flush = [&]() {
    if (word.empty()) return;
    std::u16string f;
    folder.fold(word.data(), static_cast<int32_t>(word.size()), f, scratch);
    for (std::size_t k = 0; k < sets.size(); ++k) hits[k] += sets[k].count(f) ? 1 : 0;
    word.clear();
  };
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    const int32_t start = i;
    U16_NEXT(text.data(), i, n, c);
    if (u_isalpha(c) || u_hasBinaryProperty(c, UCHAR_DIACRITIC)) {
      word.append(text.data() + start, static_cast<std::size_t>(i - start));
    } else {
      flush();
    }
  }
  flush();
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
