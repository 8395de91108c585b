#include "quoteframe/text/document.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>

#include "quoteframe/errors.hpp"
#include "quoteframe/text/utf8.hpp"
#include "quoteframe/util/hash.hpp"

namespace quoteframe::text {

std::string Document::norm_utf8(std::size_t i) const {
  std::string out;
  const auto v = norm(i);
  icu::UnicodeString(false, v.data(), static_cast<int32_t>(v.size())).toUTF8String(out);
  return out;
}

std::string Document::slice(int32_t begin, int32_t end) const {
  std::string out;
  u16.tempSubStringBetween(begin, end).toUTF8String(out);
  return out;
}

namespace {

bool is_line_break(char16_t c) {
  return c == u'\n' || c == u'\r' || c == 0x2028 || c == 0x2029 || c == 0x0085 || c == 0x000B ||
         c == 0x000C;
}

bool is_space_or_ignorable(UChar32 c) {
  // ASCII: white space and C0 controls (DEL too); no property lookup.
  if (c < 0x80) return c <= 0x20 || c == 0x7F;
  return u_isUWhiteSpace(c) || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
         u_charType(c) == U_CONTROL_CHAR;
}

bool is_apostrophe(char16_t c) { return c == 0x27 || c == 0x2019 || c == 0x02BC; }

// Folded sets of a language's short word lists, built once per language.
struct FoldedLists {
  std::unordered_set<std::u16string> abbreviations, elisions;
};

std::u16string fold16(const Folder& f, std::string_view utf8) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  std::u16string out;
  icu::UnicodeString scratch;
  f.fold(reinterpret_cast<const char16_t*>(u.getBuffer()), u.length(), out, scratch);
  return out;
}

// Strips a trailing "." and the apostrophe of list entries written as
// "M." or "l'": the lists hold the word itself.
std::u16string strip_entry(std::u16string s) {
  while (!s.empty() && (s.back() == u'.' || s.back() == u'\'')) s.pop_back();
  return s;
}

// The folded form and case flags of every distinct token form seen by one
// pipeline. News text is Zipfian: most tokens of a batch repeat a form seen
// before, and a lookup here costs far less than ICU's normalisation and four
// character-property calls per letter. Keyed by the raw UTF-16 text and the
// token kind; cleared when it grows past its caps, so memory stays bounded
// however many documents a pipeline processes.
class FormMemo {
 public:
  struct Entry {
    uint64_t hash;
    int32_t raw, raw_len, norm, norm_len;  // offsets into the arena
    uint8_t kind, flags;
  };
  // Caps: about 4 MB of entries and 4 MB of text per pipeline (thread).
  static constexpr std::size_t kMaxEntries = 1 << 17;
  static constexpr std::size_t kMaxArena = std::size_t{1} << 21;  // code units
  static constexpr int32_t kMaxLength = 64;                         // longer forms are not kept

  const Entry* find(const char16_t* s, int32_t len, uint8_t kind, uint64_t h) const noexcept {
    if (slots_.empty()) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const int32_t id = slots_[i];
      if (id < 0) return nullptr;
      const Entry& e = entries_[static_cast<std::size_t>(id)];
      if (e.hash == h && e.kind == kind && e.raw_len == len &&
          std::char_traits<char16_t>::compare(arena_.data() + e.raw, s, static_cast<std::size_t>(len)) == 0)
        return &e;
    }
  }

  const Entry& insert(const char16_t* s, int32_t len, uint8_t kind, uint64_t h, std::u16string_view norm,
                      uint8_t flags) {
    if (entries_.size() >= kMaxEntries || arena_.size() + static_cast<std::size_t>(len) + norm.size() > kMaxArena)
      clear();
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    Entry e;
    e.hash = h;
    e.kind = kind;
    e.flags = flags;
    e.raw = static_cast<int32_t>(arena_.size());
    e.raw_len = len;
    arena_.append(s, static_cast<std::size_t>(len));
    e.norm = static_cast<int32_t>(arena_.size());
    e.norm_len = static_cast<int32_t>(norm.size());
    arena_.append(norm);
    slots_[util::free_slot(slots_, h)] = static_cast<int32_t>(entries_.size());
    entries_.push_back(e);
    return entries_.back();
  }

  std::u16string_view norm(const Entry& e) const noexcept {
    return std::u16string_view(arena_.data() + e.norm, static_cast<std::size_t>(e.norm_len));
  }

 private:
  void clear() {
    entries_.clear();
    arena_.clear();
    slots_.assign(slots_.size(), -1);
  }
  void grow() {
    util::grow_slots(slots_, entries_.size(), [this](std::size_t id) { return entries_[id].hash; });
  }
  std::vector<Entry> entries_;
  std::vector<int32_t> slots_;
  std::u16string arena_;
};

}  // namespace

struct Pipeline::Impl {
  struct Iterators {
    std::unique_ptr<icu::BreakIterator> words, sentences;
  };
  const Folder& folder = Folder::shared();
  std::map<std::string, Iterators> iterators;  // by ICU locale
  std::map<std::string, FoldedLists> lists;    // by language code
  icu::UnicodeString scratch;
  UText* utext = nullptr;
  FormMemo forms;
  std::u16string fold_buf;

  ~Impl() {
    if (utext) utext_close(utext);
  }

  Iterators& iterators_for(const std::string& locale) {
    auto it = iterators.find(locale);
    if (it != iterators.end()) return it->second;
    UErrorCode status = U_ZERO_ERROR;
    icu::Locale loc(locale.c_str());
    Iterators its;
    its.words.reset(icu::BreakIterator::createWordInstance(loc, status));
    if (U_FAILURE(status)) throw IcuError("BreakIterator::createWordInstance(" + locale + ")", status);
    its.sentences.reset(icu::BreakIterator::createSentenceInstance(loc, status));
    if (U_FAILURE(status)) throw IcuError("BreakIterator::createSentenceInstance(" + locale + ")", status);
    return iterators.emplace(locale, std::move(its)).first->second;
  }

  const FoldedLists& lists_for(const LanguageData* lang) {
    static const FoldedLists empty;
    if (!lang) return empty;
    auto it = lists.find(lang->code);
    if (it != lists.end()) return it->second;
    FoldedLists fl;
    for (const auto& a : lang->abbreviations) fl.abbreviations.insert(strip_entry(fold16(folder, a)));
    for (const auto& e : lang->elisions) fl.elisions.insert(strip_entry(fold16(folder, e)));
    return lists.emplace(lang->code, std::move(fl)).first->second;
  }

  // Points `it` at u16[begin, end) without copying.
  void set_text(icu::BreakIterator& it, const icu::UnicodeString& u16, int32_t begin, int32_t end) {
    UErrorCode status = U_ZERO_ERROR;
    utext = utext_openUChars(utext, u16.getBuffer() + begin, end - begin, &status);
    if (U_FAILURE(status)) throw IcuError("utext_openUChars", status);
    it.setText(utext, status);
    if (U_FAILURE(status)) throw IcuError("BreakIterator::setText", status);
  }

  // Appends a token; words and numbers get their case flags (`extra` adds
  // flags such as kElided). The fold and the case flags come from the memo
  // of forms when the same text was seen before.
  void push_token(Document& d, int32_t b, int32_t e, TokenKind kind, uint8_t extra) {
    Token t;
    t.begin = b;
    t.end = e;
    t.kind = kind;
    t.norm_begin = static_cast<int32_t>(d.norms.size());
    const char16_t* s = reinterpret_cast<const char16_t*>(d.u16.getBuffer()) + b;
    const int32_t len = e - b;
    const bool wordlike = kind == TokenKind::Word || kind == TokenKind::Number;
    if (len > FormMemo::kMaxLength) {  // rare and long: not worth keeping
      folder.fold(s, len, d.norms, scratch);
      t.flags = static_cast<uint8_t>((wordlike ? case_flags(s, len) : 0) | extra);
      t.norm_len = static_cast<int32_t>(d.norms.size()) - t.norm_begin;
      d.tokens.push_back(t);
      return;
    }
    const auto k = static_cast<uint8_t>(kind);
    const uint64_t h = util::hash_u16(s, static_cast<std::size_t>(len), k);
    const FormMemo::Entry* m = forms.find(s, len, k, h);
    if (!m) {
      fold_buf.clear();
      folder.fold(s, len, fold_buf, scratch);
      m = &forms.insert(s, len, k, h, fold_buf, wordlike ? case_flags(s, len) : 0);
    }
    d.norms.append(forms.norm(*m));
    t.flags = static_cast<uint8_t>(m->flags | extra);
    t.norm_len = static_cast<int32_t>(d.norms.size()) - t.norm_begin;
    d.tokens.push_back(t);
  }

  static uint8_t case_flags(const char16_t* s, int32_t len) {
    int32_t letters = 0, upper = 0;
    bool first_upper = false, first = true;
    for (int32_t i = 0; i < len;) {
      UChar32 c;
      U16_NEXT(s, i, len, c);
      if (!u_isalpha(c)) continue;
      const bool up = u_isupper(c) || u_istitle(c);
      if (first) { first_upper = up; first = false; }
      ++letters;
      upper += up;
    }
    uint8_t f = 0;
    if (first_upper) f |= kCapitalized;
    if (letters >= 2 && upper == letters) f |= kAllCaps;
    return f;
  }

  // Word segmentation of the whole document, one pass of the iterator
  // (setting it per paragraph costs more than the paragraphs' text):
  // words, numbers, and one token per punctuation mark or symbol, each
  // inside a paragraph (line breaks are always word boundaries; a segment
  // is clipped to its paragraph, whose ends exclude white space and
  // ignorables); white space and ignorables are skipped. Fills each
  // paragraph's token range through `first_token`.
  void segment_words(Document& d, icu::BreakIterator& it, const FoldedLists& fl,
                     std::vector<int32_t>& first_token) {
    const int32_t n = d.u16.length();
    set_text(it, d.u16, 0, n);
    const char16_t* buf = reinterpret_cast<const char16_t*>(d.u16.getBuffer());
    const std::size_t np = d.paragraphs.size();
    first_token.assign(np + 1, 0);
    std::size_t pi = 0;
    int32_t prev = it.first();
    for (int32_t next = it.next(); next != icu::BreakIterator::DONE && pi < np; prev = next, next = it.next()) {
      // The paragraph this segment overlaps, if any.
      while (pi < np && d.paragraphs[pi].end <= prev) {
        first_token[++pi] = static_cast<int32_t>(d.tokens.size());
      }
      if (pi >= np) break;
      const int32_t b = std::max(prev, d.paragraphs[pi].begin), e = std::min(next, d.paragraphs[pi].end);
      if (b >= e) continue;
      const int32_t status = it.getRuleStatus();
      if (status >= UBRK_WORD_NONE && status < UBRK_WORD_NONE_LIMIT) {
        // Punctuation, symbols, spaces: split into code points, grouping
        // a symbol with the marks and joiners that extend it (emoji).
        for (int32_t i = b; i < e;) {
          UChar32 c;
          int32_t j = i;
          U16_NEXT(buf, j, e, c);
          if (is_space_or_ignorable(c)) { i = j; continue; }
          const int8_t type = u_charType(c);
          const bool punct = (type >= U_DASH_PUNCTUATION && type <= U_OTHER_PUNCTUATION) ||
                             type == U_INITIAL_PUNCTUATION || type == U_FINAL_PUNCTUATION;
          if (!punct) {
            // A flag is a pair of regional indicators.
            if (u_getIntPropertyValue(c, UCHAR_GRAPHEME_CLUSTER_BREAK) == U_GCB_REGIONAL_INDICATOR && j < e) {
              UChar32 c2;
              int32_t k = j;
              U16_NEXT(buf, k, e, c2);
              if (u_getIntPropertyValue(c2, UCHAR_GRAPHEME_CLUSTER_BREAK) == U_GCB_REGIONAL_INDICATOR) j = k;
            }
            while (j < e) {
              UChar32 c2;
              int32_t k = j;
              U16_NEXT(buf, k, e, c2);
              if (c2 == 0x200D || u_getIntPropertyValue(c2, UCHAR_GRAPHEME_CLUSTER_BREAK) == U_GCB_EXTEND) {
                j = k;
                if (c2 == 0x200D && j < e) U16_NEXT(buf, j, e, c2);  // the joined symbol
              } else {
                break;
              }
            }
          }
          push_token(d, i, j, punct ? TokenKind::Punct : TokenKind::Symbol, 0);
          i = j;
        }
        continue;
      }
      const TokenKind kind = (status >= UBRK_WORD_NUMBER && status < UBRK_WORD_NUMBER_LIMIT)
                                 ? TokenKind::Number
                                 : TokenKind::Word;
      int32_t start = b;
      // Split elided clitics: "qu'elles" -> "qu'" + "elles".
      if (kind == TokenKind::Word && !fl.elisions.empty()) {
        for (int32_t k = start + 1; k < e - 1; ++k) {
          if (!is_apostrophe(buf[k])) continue;
          std::u16string head;
          folder.fold(buf + start, k - start, head, scratch);
          if (fl.elisions.count(head) == 0) break;
          push_token(d, start, k + 1, TokenKind::Word, kElided);
          start = k + 1;
        }
      }
      push_token(d, start, e, kind, 0);
    }
    while (pi < np) first_token[++pi] = static_cast<int32_t>(d.tokens.size());
  }
};

Pipeline::Pipeline(std::shared_ptr<const LanguageRegistry> langs)
    : langs_(std::move(langs)), impl_(std::make_unique<Impl>()) {
  if (!langs_) langs_ = std::make_shared<LanguageRegistry>();
}

Pipeline::~Pipeline() = default;

Document Pipeline::process(std::string id, std::string utf8, const std::string& lang) {
  if (utf8.size() > static_cast<std::size_t>(INT32_MAX / 2))
    throw InputError((id.empty() ? std::string("<text>") : id) + ": text too long for one document (over 1 GB)");
  Document d;
  // One pass converts to UTF-16 and validates: ICU's strict conversion
  // (no substitution character) fails on ill-formed UTF-8, and only then
  // does require_utf8 run, to name the offending byte.
  {
    const auto len8 = static_cast<int32_t>(utf8.size());
    UErrorCode status = U_ZERO_ERROR;
    UChar* out = d.u16.getBuffer(len8 + 1);
    int32_t len16 = 0;
    u_strFromUTF8WithSub(out, len8 + 1, &len16, utf8.data(), len8, U_SENTINEL, nullptr, &status);
    d.u16.releaseBuffer(U_SUCCESS(status) ? len16 : 0);
    if (U_FAILURE(status)) {
      const std::string source = id.empty() ? std::string("<text>") : id;
      require_utf8(utf8, source);
      throw InputError(source + ": invalid UTF-8");
    }
  }
  d.id = std::move(id);
  d.text = std::move(utf8);
  const int32_t n = d.u16.length();
  const char16_t* buf = reinterpret_cast<const char16_t*>(d.u16.getBuffer());

  // Code-point index, only when the text has supplementary characters.
  bool surrogates = false;
  for (int32_t i = 0; i < n; ++i) {
    if (U16_IS_SURROGATE(buf[i])) { surrogates = true; break; }
  }
  if (surrogates) {
    d.cp_index_.resize(static_cast<std::size_t>(n) + 1);
    int32_t cp = 0;
    for (int32_t i = 0; i < n; ++i) {
      d.cp_index_[static_cast<std::size_t>(i)] = cp;
      if (!(U16_IS_LEAD(buf[i]) && i + 1 < n && U16_IS_TRAIL(buf[i + 1]))) ++cp;
    }
    d.cp_index_[static_cast<std::size_t>(n)] = cp;
  }

  // Language.
  if (lang.empty()) {
    d.lang = detect_language(std::u16string_view(buf, static_cast<std::size_t>(n)), *langs_);
    d.lang_detected = true;
  } else {
    d.lang = lang;
  }
  const LanguageData* ld = langs_->find(d.lang);
  const std::string locale = ld && !ld->icu_locale.empty() ? ld->icu_locale : (ld ? ld->code : "root");
  Impl::Iterators& its = impl_->iterators_for(locale);
  const FoldedLists& fl = impl_->lists_for(ld);

  // Paragraphs: non-blank lines; the first line of the file is the headline.
  int32_t line_start = 0;
  bool first_line = true;
  for (int32_t i = 0; i <= n; ++i) {
    if (i < n && !is_line_break(buf[i])) continue;
    int32_t b = line_start, e = i;
    while (b < e && is_space_or_ignorable(d.u16.char32At(b))) b += U16_LENGTH(d.u16.char32At(b));
    while (e > b) {
      const int32_t last = d.u16.moveIndex32(e, -1);
      if (!is_space_or_ignorable(d.u16.char32At(last))) break;
      e = last;
    }
    if (b < e) {
      if (first_line) d.has_headline = true;
      Paragraph p;
      p.begin = b;
      p.end = e;
      d.paragraphs.push_back(p);
    }
    first_line = false;
    if (i < n && buf[i] == u'\r' && i + 1 < n && buf[i + 1] == u'\n') ++i;
    line_start = i + 1;
  }

  d.tokens.reserve(static_cast<std::size_t>(n) / 5 + 16);
  d.norms.reserve(static_cast<std::size_t>(n) + 16);
  std::vector<int32_t> first_token;
  impl_->segment_words(d, *its.words, fl, first_token);

  // Sentences from ICU over the whole text, then undo breaks after
  // abbreviations and initials. ICU ends a sentence at every line break
  // but the vertical tab and the form feed, which end a paragraph here: a
  // text with those is iterated paragraph by paragraph instead.
  std::vector<int32_t> all_bounds;
  bool vt_ff = false;
  for (int32_t i = 0; i < n && !vt_ff; ++i) vt_ff = buf[i] == 0x000B || buf[i] == 0x000C;
  auto sentence_bounds = [&](int32_t from, int32_t to) {
    impl_->set_text(*its.sentences, d.u16, from, to);
    for (int32_t b = its.sentences->next(); b != icu::BreakIterator::DONE; b = its.sentences->next())
      all_bounds.push_back(from + b);
  };
  if (!vt_ff) {
    if (!d.paragraphs.empty()) sentence_bounds(0, n);
  } else {
    for (const Paragraph& p : d.paragraphs) sentence_bounds(p.begin, p.end);
  }
  std::size_t ab = 0;
  std::vector<int32_t> bounds, kept;
  for (std::size_t pi = 0; pi < d.paragraphs.size(); ++pi) {
    Paragraph& p = d.paragraphs[pi];
    const auto tok0 = static_cast<std::size_t>(first_token[pi]);
    const auto tok1 = static_cast<std::size_t>(first_token[pi + 1]);
    // Space flags, from the neighbouring characters.
    for (std::size_t k = tok0; k < tok1; ++k) {
      Token& t = d.tokens[k];
      if (t.begin == p.begin || is_space_or_ignorable(d.u16.char32At(d.u16.moveIndex32(t.begin, -1))))
        t.flags |= kSpaceBefore;
      if (t.end == p.end || is_space_or_ignorable(d.u16.char32At(t.end))) t.flags |= kSpaceAfter;
    }

    // This paragraph's sentence boundaries: those strictly inside it, then its end.
    bounds.clear();
    while (ab < all_bounds.size() && all_bounds[ab] <= p.begin) ++ab;
    while (ab < all_bounds.size() && all_bounds[ab] < p.end) bounds.push_back(all_bounds[ab++]);
    bounds.push_back(p.end);
    kept.clear();
    std::size_t tk = tok0;
    for (std::size_t bi = 0; bi + 1 < bounds.size(); ++bi) {
      const int32_t at = bounds[bi];
      while (tk < tok1 && d.tokens[tk].end <= at) ++tk;
      // tokens [.., tk) end before the boundary: look at the last two.
      bool merge = false;
      if (tk >= tok0 + 2) {
        const Token& dot = d.tokens[tk - 1];
        const Token& word = d.tokens[tk - 2];
        if (dot.kind == TokenKind::Punct && dot.end - dot.begin == 1 && d.at(dot.begin) == u'.' &&
            word.kind == TokenKind::Word && word.end == dot.begin) {
          const std::u16string_view w = d.norm(tk - 2);
          const bool initial = (word.flags & kCapitalized) && word.end - word.begin == 1;
          merge = initial || fl.abbreviations.count(std::u16string(w)) > 0;
        }
      }
      if (!merge) kept.push_back(at);
    }
    kept.push_back(p.end);

    p.first_sentence = static_cast<int32_t>(d.sentences.size());
    int32_t sb = p.begin;
    std::size_t t = tok0;
    for (int32_t se : kept) {
      Sentence s;
      s.begin = sb;
      s.paragraph = static_cast<int32_t>(pi);
      s.first_token = static_cast<int32_t>(t);
      while (t < tok1 && d.tokens[t].begin < se) {
        d.tokens[t].sentence = static_cast<int32_t>(d.sentences.size());
        ++t;
      }
      s.last_token = static_cast<int32_t>(t);
      // Trim trailing white space from the sentence span.
      int32_t e = se;
      while (e > sb && is_space_or_ignorable(d.u16.char32At(d.u16.moveIndex32(e, -1))))
        e = d.u16.moveIndex32(e, -1);
      s.end = e;
      if (s.last_token > s.first_token) d.sentences.push_back(s);
      sb = se;
    }
    p.last_sentence = static_cast<int32_t>(d.sentences.size());
  }
  return d;
}

std::vector<PatternToken> Pipeline::tokenize_pattern(std::string_view utf8, const std::string& lang) {
  Document d = process("<pattern>", std::string(utf8), lang);
  std::vector<PatternToken> out;
  out.reserve(d.tokens.size());
  for (std::size_t i = 0; i < d.tokens.size(); ++i) {
    const Token& t = d.tokens[i];
    const bool star = t.kind == TokenKind::Punct && t.end - t.begin == 1 && d.at(t.begin) == u'*';
    if (star && !out.empty() && i > 0 && d.tokens[i - 1].end == t.begin &&
        d.tokens[i - 1].kind != TokenKind::Punct) {
      out.back().prefix = true;
      continue;
    }
    // A clitic written alone with its apostrophe ("qu'", "l'") is one token,
    // as it is in running text.
    const bool apostrophe = t.kind == TokenKind::Punct && t.end - t.begin == 1 &&
                            (d.at(t.begin) == u'\'' || d.at(t.begin) == 0x2019);
    if (apostrophe && !out.empty() && i > 0 && d.tokens[i - 1].end == t.begin &&
        d.tokens[i - 1].kind == TokenKind::Word && !out.back().prefix) {
      out.back().form += u'\'';
      continue;
    }
    out.push_back(PatternToken{std::u16string(d.norm(i)), false});
  }
  return out;
}

}  // namespace quoteframe::text
