#include "quoteframe/quotes/extractor.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <unicode/uchar.h>

namespace quoteframe::quotes {

using lexicon::Trie;
using text::Document;
using text::Token;
using text::TokenKind;

const char* type_name(QuoteType t) {
  switch (t) {
    case QuoteType::Direct: return "direct";
    case QuoteType::Indirect: return "indirect";
    case QuoteType::Mixed: return "mixed";
  }
  return "direct";
}

const char* attribution_name(Attribution a) {
  switch (a) {
    case Attribution::Explicit: return "explicit";
    case Attribution::Pronoun: return "pronoun";
    case Attribution::Role: return "role";
    case Attribution::Context: return "context";
    case Attribution::None: return "none";
  }
  return "none";
}

namespace {

constexpr int32_t kDescription = 1 << 24;  // actor-trie payload flag: a role phrase
constexpr int kMaxCueGap = 14;              // tokens between a cue and its complementizer
constexpr int kContextParagraphs = 2;       // how far back "the previous speaker" reaches
constexpr std::size_t kMaxNesting = 8;      // deeper quotation marks are read as text
constexpr int32_t kMaxIncise = 400;         // tokens of a quotation searched for an incise
constexpr std::size_t kLookback = 200;      // earlier speakers and mentions a pronoun may reach

enum Gender : uint8_t { kAnyGender = 0, kFemale = 1, kMale = 2, kPlural = 3 };

uint8_t gender_code(codebook::Gender g) {
  switch (g) {
    case codebook::Gender::Female: return kFemale;
    case codebook::Gender::Male: return kMale;
    case codebook::Gender::Plural: return kPlural;
    default: return kAnyGender;
  }
}

bool compatible(uint8_t want, uint8_t have) { return want == kAnyGender || have == kAnyGender || want == have; }

// ---- quotation marks ------------------------------------------------------

enum MarkFamily : uint8_t {
  kGuillemet,       // « »
  kSingleGuillemet, // ‹ ›
  kCurlyDouble,     // “ ”
  kLowDouble,       // „ (closed by “ or ”)
  kCurlySingle,     // ‘ ’
  kLowSingle,       // ‚ (closed by ‘ or ’)
  kAsciiDouble,     // "
  kAsciiSingle,     // '
  kCorner,          // 「 」
  kWhiteCorner,     // 『 』
};

bool is_letter_or_digit(UChar32 c) { return u_isalnum(c) != 0; }
bool is_space(UChar32 c) { return u_isUWhiteSpace(c) != 0; }

inline bool is_any_quote_char(char16_t c) {
  // Most characters are letters: two comparisons rule them out.
  if (c < 0x80) return c == 0x22 || c == 0x27;
  if (c != 0xAB && c != 0xBB && c < 0x2018) return false;
  switch (c) {
    case 0x00AB: case 0x00BB: case 0x2039: case 0x203A: case 0x201C: case 0x201D: case 0x201E:
    case 0x2018: case 0x2019: case 0x201A: case 0x0022: case 0x0027: case 0x300C: case 0x300D:
    case 0x300E: case 0x300F:
      return true;
    default:
      return false;
  }
}

struct OpenMark {
  int32_t pos;
  MarkFamily family;
};

struct RawQuote {
  int32_t open, close;  // positions of the marks (close = paragraph end when unclosed)
  bool unclosed = false;
  bool dash = false;    // dialogue dash, no closing mark
};

// ---- per-document working state -------------------------------------------

enum class MentionKind : uint8_t { Actor, Description, Name, Media, Pronoun, Role };

struct Mention {
  int32_t first, last;  // token range
  MentionKind kind;
  int32_t actor = -1;   // Actor/Description: actor index; Media: medium index
  int32_t role = -1;    // Role: role id
  uint8_t gender = kAnyGender;
  bool person = false;  // a person (actor of kind person, or an unknown name)
};

struct Evidence {
  enum Kind : uint8_t { None, Actor, Name, Description, Role, OrgActor, Pronoun, Context } kind = None;
  int32_t actor = -1;
  int32_t role = -1;
  uint8_t gender = kAnyGender;
  bool strong = false;
  int32_t first = -1, last = -1;  // token range of the mention
  std::string name;
};

}  // namespace

struct Extractor::LangRules {
  std::string code;
  Trie speech, gender, object, participle, aux, comp, fused, blockers, according, relative, source,
      source_gender, nouns, roles, pronouns;
  std::vector<lexicon::Clitic> clitics;
  std::unordered_set<std::u16string> function_words;
  bool subject_after_verb = false;
  bool zero_complementizer = false;
  bool cased = true;  // the script has upper and lower case (names are capitalised)
};

namespace {

std::u16string to16(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  return std::u16string(reinterpret_cast<const char16_t*>(u.getBuffer()), static_cast<std::size_t>(u.length()));
}

}  // namespace

Extractor::Extractor(std::shared_ptr<const text::LanguageRegistry> langs,
                     std::shared_ptr<const codebook::Codebook> cb, std::shared_ptr<lexicon::Vocabulary> shared_vocab)
    : langs_(std::move(langs)), codebook_(std::move(cb)), vocab_(std::move(shared_vocab)) {
  if (!langs_ || !codebook_) throw std::invalid_argument("Extractor needs languages and a codebook");
  if (!vocab_) vocab_ = std::make_shared<lexicon::Vocabulary>();
  lexicon::Vocabulary& vocab = *vocab_;
  text::Pipeline pipe(langs_);
  std::unordered_map<std::string, int32_t> role_ids;
  auto role_id = [&](const std::string& r) {
    auto it = role_ids.find(r);
    if (it != role_ids.end()) return it->second;
    const int32_t id = static_cast<int32_t>(role_names_.size());
    role_names_.push_back(r);
    role_ids.emplace(r, id);
    return id;
  };

  for (const auto& code : langs_->codes()) {
    const text::LanguageData& L = *langs_->find(code);
    auto r = std::make_unique<LangRules>();
    r->code = code;
    r->subject_after_verb = L.subject_after_verb;
    r->zero_complementizer = L.zero_complementizer;
    r->cased = L.script == "latin" || L.script == "cyrillic" || L.script == "greek";
    auto fill = [&](Trie& t, const std::vector<std::string>& entries, int32_t payload) {
      for (const auto& e : entries) t.add(vocab, pipe.tokenize_pattern(e, code), payload);
    };
    fill(r->speech, L.speech_verbs, 0);
    fill(r->gender, L.speech_verbs_female, kFemale);
    fill(r->gender, L.speech_verbs_male, kMale);
    fill(r->gender, L.speech_verbs_plural, kPlural);
    fill(r->object, L.object_verbs, 0);
    fill(r->participle, L.participle_cues, 0);
    fill(r->aux, L.auxiliaries, 0);
    fill(r->comp, L.complementizers, 0);
    fill(r->fused, L.fused_complementizers, 0);
    fill(r->blockers, L.complementizer_blockers, 0);
    fill(r->according, L.according_to, 0);
    fill(r->relative, L.relative_cues, 0);
    fill(r->source, L.source_cues, 0);
    fill(r->source, L.source_cues_female, kFemale);
    fill(r->source, L.source_cues_male, kMale);
    fill(r->source_gender, L.source_cues_female, kFemale);
    fill(r->source_gender, L.source_cues_male, kMale);
    fill(r->nouns, L.speech_nouns, 0);
    fill(r->pronouns, L.pronouns_female, kFemale);
    fill(r->pronouns, L.pronouns_male, kMale);
    fill(r->pronouns, L.pronouns_plural, kPlural);
    for (const auto& kv : L.roles) fill(r->roles, kv.second, role_id(kv.first));
    r->clitics = lexicon::parse_clitics(L.clitic_prefixes);
    for (const auto& w : L.function_words) r->function_words.insert(to16(text::Folder::shared().fold_utf8(w)));
    rule_codes_.push_back(code);
    rules_.push_back(std::move(r));
  }

  const auto& actors = codebook_->actors;
  actor_roles_.resize(actors.size());
  for (std::size_t a = 0; a < actors.size(); ++a) {
    for (const auto& role : actors[a].roles) actor_roles_[a].push_back(role_id(role));
    for (const auto& kv : actors[a].names)
      for (const auto& n : kv.second)
        actors_.add(vocab, pipe.tokenize_pattern(n, kv.first), static_cast<int32_t>(a));
    for (const auto& kv : actors[a].descriptions)
      for (const auto& n : kv.second)
        actors_.add(vocab, pipe.tokenize_pattern(n, kv.first), static_cast<int32_t>(a) | kDescription);
  }
  for (std::size_t m = 0; m < codebook_->media.size(); ++m)
    for (const auto& kv : codebook_->media[m].names)
      for (const auto& n : kv.second) media_.add(vocab, pipe.tokenize_pattern(n, kv.first), static_cast<int32_t>(m));
}

Extractor::~Extractor() = default;

const Extractor::LangRules* Extractor::rules_for(const std::string& code) const {
  for (std::size_t i = 0; i < rule_codes_.size(); ++i)
    if (rule_codes_[i] == code) return rules_[i].get();
  return nullptr;
}

namespace {

// Everything extract() needs while it works on one document.
class Work {
 public:
  Work(const Document& d, const Extractor::LangRules* rules, const lexicon::Keys& keys,
       const Trie& actors, const Trie& media, const codebook::Codebook& cb,
       const std::vector<std::vector<int32_t>>& actor_roles)
      : d_(d), r_(rules), actors_(actors), media_(media), cb_(cb), actor_roles_(actor_roles), keys_(keys) {
    n_ = static_cast<int32_t>(d.tokens.size());
  }

  std::vector<Quote> run();

 private:
  // ---- token predicates
  char16_t ch(int32_t t) const { return d_.at(d_.tokens[static_cast<std::size_t>(t)].begin); }
  bool punct(int32_t t) const { return d_.tokens[static_cast<std::size_t>(t)].kind == TokenKind::Punct; }
  bool is_char(int32_t t, char16_t c) const { return punct(t) && ch(t) == c; }
  bool is_comma(int32_t t) const { return punct(t) && (ch(t) == u',' || ch(t) == 0x060C); }
  bool is_dash(int32_t t) const {
    if (!punct(t)) return false;
    const char16_t c = ch(t);
    return c == u'-' || c == 0x2013 || c == 0x2014 || c == 0x2015;
  }
  bool is_stop(int32_t t) const {
    if (!punct(t)) return false;
    const char16_t c = ch(t);
    return c == u'.' || c == u'!' || c == u'?' || c == u';' || c == u':' || c == 0x061F || c == 0x061B ||
           c == 0x2026;
  }
  bool is_quote_tok(int32_t t) const { return punct(t) && is_any_quote_char(ch(t)); }
  int32_t sentence_of(int32_t t) const { return d_.tokens[static_cast<std::size_t>(t)].sentence; }
  const text::Sentence& sent(int32_t s) const { return d_.sentences[static_cast<std::size_t>(s)]; }
  int32_t tok_begin(int32_t t) const { return d_.tokens[static_cast<std::size_t>(t)].begin; }
  int32_t tok_end(int32_t t) const { return d_.tokens[static_cast<std::size_t>(t)].end; }
  // First token starting at or after UTF-16 offset `u` (n_ when none).
  int32_t token_at_or_after(int32_t u) const {
    auto it = std::lower_bound(d_.tokens.begin(), d_.tokens.end(), u,
                               [](const Token& t, int32_t v) { return t.begin < v; });
    return static_cast<int32_t>(it - d_.tokens.begin());
  }
  Trie::Match at(const Trie& t, int32_t i, int32_t limit) const {
    if (!r_ || i < 0 || i >= limit) return Trie::Match{i, i, -1};
    return t.longest_at(keys_, i, limit);
  }
  bool in_direct(int32_t t) const { return direct_cover_[static_cast<std::size_t>(t)] != 0; }

  // ---- stages
  void scan_marks();
  void dash_dialogue();
  void find_mentions();
  void indirect();
  void attribute_direct();
  void resolve();

  // ---- helpers
  struct Cue {
    int32_t verb = -1;           // the speech-verb token (or first token of the cue phrase)
    int32_t first = -1, last = -1;  // cue region (token range)
    uint8_t gender = kAnyGender;   // from the verb's morphology
  };
  Cue cue_at(int32_t v, int32_t lo) const;
  Evidence pick_speaker(int32_t a, int32_t b, bool prefer_last = false) const;
  Evidence pronoun_in(int32_t a, int32_t b) const;
  std::string sources_in(int32_t a, int32_t b, uint8_t* gender = nullptr) const;
  struct Incise {
    int32_t cut = -1, resume = -1;  // UTF-16: the quote stops at `cut` and resumes at `resume`
    Cue cue;
    Evidence ev;
  };
  bool find_incise(int32_t cb, int32_t ce, Incise& out) const;
  int32_t dateline_end(int32_t s) const;
  int32_t content_end(int32_t from, int32_t b) const;
  int32_t speaker_window_end(int32_t from, int32_t limit) const;
  void trim_content(int32_t& b, int32_t& e, bool strip_stop) const;
  bool overlaps_indirect(int32_t b, int32_t e) const;
  int32_t add_indirect(int32_t content_b, int32_t content_e, const Cue& cue, const Evidence& ev,
                       const std::string& source, int32_t anchor_tok);

  const Document& d_;
  const Extractor::LangRules* r_;
  const Trie& actors_;
  const Trie& media_;
  const codebook::Codebook& cb_;
  const std::vector<std::vector<int32_t>>& actor_roles_;
  const lexicon::Keys& keys_;
  int32_t n_ = 0;

  std::vector<RawQuote> raw_;
  // Raw quotes ordered by their opening and by their closing mark, for
  // binary searches instead of scans (see index_raw()).
  std::vector<std::pair<int32_t, std::size_t>> by_open_, by_close_;
  std::vector<int32_t> max_close_;                  // prefix maximum of closes over by_open_
  std::unordered_map<int32_t, std::size_t> open_at_; // opening position -> raw index
  std::vector<std::pair<int32_t, int32_t>> indirect_spans_;  // sorted, disjoint
  std::vector<uint8_t> indirect_cover_;             // per token: inside reported speech
  void index_raw();
  bool in_indirect(int32_t t) const { return indirect_cover_[static_cast<std::size_t>(t)] != 0; }
  struct Given { Cue cue; Evidence ev; std::string source; };
  std::unordered_map<std::size_t, Given> given_;  // raw quote -> cue found by a reported-speech pattern
  std::vector<uint8_t> direct_cover_;  // per token: inside a direct quote's marks
  std::vector<Mention> mentions_;
  std::vector<Quote> quotes_;
  std::vector<Evidence> evidence_;     // parallel to quotes_
  std::vector<int32_t> mention_at_;    // per token: index of the mention covering it, or -1
};

// ---- direct quotes: marks --------------------------------------------------

void Work::scan_marks() {
  const icu::UnicodeString& u = d_.u16;
  std::vector<OpenMark> stack;
  int32_t open_count[kWhiteCorner + 1] = {};
  auto recount = [&]() {
    std::fill(std::begin(open_count), std::end(open_count), 0);
    for (const auto& o : stack) ++open_count[o.family];
  };
  for (std::size_t pi = 0; pi < d_.paragraphs.size(); ++pi) {
    const text::Paragraph& p = d_.paragraphs[pi];
    const bool carried = !stack.empty();
    int32_t skip_reopen = -1;
    if (carried) {
      // A quote running over paragraphs reopens with the same mark.
      const char16_t c = u.charAt(p.begin);
      const MarkFamily f = stack.front().family;
      const bool same = (f == kGuillemet && c == 0x00AB) || (f == kCurlyDouble && c == 0x201C) ||
                        (f == kLowDouble && c == 0x201E) || (f == kAsciiDouble && c == u'"') ||
                        (f == kCorner && c == 0x300C);
      if (same) {
        skip_reopen = p.begin;
      } else {
        // Recover: the quote ends where its paragraph ended.
        const text::Paragraph& prev = d_.paragraphs[pi - 1];
        raw_.push_back(RawQuote{stack.front().pos, prev.end, true, false});
        stack.clear();
        recount();
      }
    }
    for (int32_t i = p.begin; i < p.end; ++i) {
      const char16_t c = u.charAt(i);
      if (!is_any_quote_char(c) || i == skip_reopen) continue;
      const UChar32 prev = i > p.begin ? u.char32At(u.moveIndex32(i, -1)) : 0x20;
      const UChar32 next = i + 1 < p.end ? u.char32At(i + 1) : 0x20;
      // Open marks per family are counted, so a closing mark with no
      // opening of its family costs nothing, and a stack is walked only down
      // to a match it then pops (linear over the paragraph).
      auto close_to = [&](std::initializer_list<MarkFamily> fams) -> bool {
        bool any = false;
        for (MarkFamily f : fams) any = any || open_count[f] > 0;
        if (!any) return false;
        for (std::size_t k = stack.size(); k-- > 0;) {
          for (MarkFamily f : fams) {
            if (stack[k].family == f) {
              raw_.push_back(RawQuote{stack[k].pos, i, false, false});
              for (std::size_t j = k; j < stack.size(); ++j) --open_count[stack[j].family];
              stack.resize(k);
              return true;
            }
          }
        }
        return false;
      };
      auto has_open = [&](MarkFamily f) { return open_count[f] > 0; };
      auto push = [&](MarkFamily f) {
        if (stack.size() >= kMaxNesting) return;  // deeper marks stay text
        stack.push_back({i, f});
        ++open_count[f];
      };
      switch (c) {
        case 0x00AB: push(kGuillemet); break;
        case 0x00BB: close_to({kGuillemet}); break;
        case 0x2039: push(kSingleGuillemet); break;
        case 0x203A: close_to({kSingleGuillemet}); break;
        case 0x201E: push(kLowDouble); break;
        case 0x201C:
          // Closes a low opening („…“, German and Russian), else opens.
          if (!stack.empty() && stack.back().family == kLowDouble) close_to({kLowDouble});
          else push(kCurlyDouble);
          break;
        case 0x201D: close_to({kCurlyDouble, kLowDouble}); break;
        case 0x201A: push(kLowSingle); break;
        case 0x2018:
          if (!stack.empty() && stack.back().family == kLowSingle) close_to({kLowSingle});
          else if (!is_letter_or_digit(prev)) push(kCurlySingle);
          break;
        case 0x2019:
          // An apostrophe unless it closes an open single quote from a
          // position where a closing mark can stand.
          if (!is_letter_or_digit(next) && !is_space(prev) &&
              (has_open(kCurlySingle) || has_open(kLowSingle)))
            close_to({kCurlySingle, kLowSingle});
          break;
        case 0x0022:
          if (has_open(kAsciiDouble)) close_to({kAsciiDouble});
          else push(kAsciiDouble);
          break;
        case 0x0027:
          if (has_open(kAsciiSingle) && !is_space(prev) && !is_letter_or_digit(next)) close_to({kAsciiSingle});
          else if (!is_letter_or_digit(prev) && is_letter_or_digit(next)) push(kAsciiSingle);
          break;
        case 0x300C: push(kCorner); break;
        case 0x300D: close_to({kCorner}); break;
        case 0x300E: push(kWhiteCorner); break;
        case 0x300F: close_to({kWhiteCorner}); break;
        default: break;
      }
    }
    // Single ASCII or curly single openings never closed were apostrophes
    // or primes: drop them rather than swallow the paragraph.
    stack.erase(std::remove_if(stack.begin(), stack.end(),
                               [](const OpenMark& o) {
                                 return o.family == kAsciiSingle || o.family == kCurlySingle ||
                                        o.family == kLowSingle;
                               }),
                stack.end());
    if (!stack.empty()) {
      // Keep only the outermost opening; it may continue in the next paragraph.
      stack.resize(1);
      if (pi + 1 == d_.paragraphs.size()) {
        raw_.push_back(RawQuote{stack.front().pos, p.end, true, false});
        stack.clear();
      }
    }
    recount();
  }
}

void Work::index_raw() {
  by_open_.clear();
  by_close_.clear();
  for (std::size_t k = 0; k < raw_.size(); ++k) {
    by_open_.emplace_back(raw_[k].open, k);
    by_close_.emplace_back(raw_[k].close, k);
    open_at_.emplace(raw_[k].open, k);
  }
  std::sort(by_open_.begin(), by_open_.end());
  std::sort(by_close_.begin(), by_close_.end());
  max_close_.resize(by_open_.size());
  int32_t m = -1;
  for (std::size_t k = 0; k < by_open_.size(); ++k) {
    m = std::max(m, raw_[by_open_[k].second].close);
    max_close_[k] = m;
  }
}

// ---- direct quotes: dialogue dashes ----------------------------------------

void Work::dash_dialogue() {
  if (!r_) return;
  for (const auto& p : d_.paragraphs) {
    const int32_t t0 = token_at_or_after(p.begin);
    if (t0 >= n_ || tok_begin(t0) != p.begin || !is_dash(t0) || ch(t0) == u'-') continue;
    if (t0 + 1 >= n_ || !(d_.tokens[static_cast<std::size_t>(t0)].flags & text::kSpaceAfter)) continue;
    // The speech runs to the next dash that introduces the narrator's words.
    int32_t end_tok = -1;
    for (int32_t t = t0 + 1; t < n_ && tok_begin(t) < p.end; ++t) {
      if (!is_dash(t) || ch(t) == u'-') continue;
      for (int32_t k = t + 1; k < std::min(n_, t + 4); ++k)
        if (at(r_->speech, k, n_).found()) { end_tok = t; break; }
      if (end_tok >= 0) break;
    }
    const int32_t close = end_tok >= 0 ? tok_begin(end_tok) : p.end;
    raw_.push_back(RawQuote{tok_begin(t0), close, false, true});
  }
}

// ---- mentions ---------------------------------------------------------------

void Work::find_mentions() {
  mention_at_.assign(static_cast<std::size_t>(n_), -1);
  std::vector<Trie::Match> ms;
  actors_.find_all(keys_, 0, n_, ms);
  for (const auto& m : ms) {
    for (int32_t p : actors_.payloads(m.node)) {
      Mention x;
      x.first = m.first;
      x.last = m.last;
      x.kind = (p & kDescription) ? MentionKind::Description : MentionKind::Actor;
      x.actor = p & ~kDescription;
      const auto& a = cb_.actors[static_cast<std::size_t>(x.actor)];
      x.gender = gender_code(a.gender);
      x.person = a.kind == "person";
      mentions_.push_back(x);
      break;  // one actor per span (the first listed wins an ambiguity)
    }
  }
  ms.clear();
  media_.find_all(keys_, 0, n_, ms);
  for (const auto& m : ms) {
    Mention x;
    x.first = m.first;
    x.last = m.last;
    x.kind = MentionKind::Media;
    x.actor = media_.payloads(m.node).front();
    mentions_.push_back(x);
  }
  if (r_) {
    ms.clear();
    r_->pronouns.find_all(keys_, 0, n_, ms);
    for (const auto& m : ms) {
      Mention x;
      x.first = m.first;
      x.last = m.last;
      x.kind = MentionKind::Pronoun;
      x.gender = static_cast<uint8_t>(r_->pronouns.payloads(m.node).front());
      mentions_.push_back(x);
    }
    ms.clear();
    r_->roles.find_all(keys_, 0, n_, ms);
    for (const auto& m : ms) {
      Mention x;
      x.first = m.first;
      x.last = m.last;
      x.kind = MentionKind::Role;
      x.role = r_->roles.payloads(m.node).front();
      mentions_.push_back(x);
    }
  }
  // Mark covered tokens (actors and media first: they win over the rest).
  std::stable_sort(mentions_.begin(), mentions_.end(), [](const Mention& a, const Mention& b) {
    auto rank = [](MentionKind k) { return k == MentionKind::Media ? 0 : (k == MentionKind::Actor || k == MentionKind::Description) ? 1 : 2; };
    return rank(a.kind) < rank(b.kind);
  });
  std::vector<Mention> kept;
  for (const auto& m : mentions_) {
    bool free = true;
    for (int32_t t = m.first; t < m.last; ++t) free = free && mention_at_[static_cast<std::size_t>(t)] < 0;
    if (!free) continue;
    for (int32_t t = m.first; t < m.last; ++t) mention_at_[static_cast<std::size_t>(t)] = static_cast<int32_t>(kept.size());
    kept.push_back(m);
  }
  // Unknown names: runs of capitalised words no mention covers.
  if (!r_ || r_->cased) {
    for (int32_t t = 0; t < n_;) {
      auto capword = [&](int32_t k) {
        const Token& tk = d_.tokens[static_cast<std::size_t>(k)];
        return tk.kind == TokenKind::Word && (tk.flags & text::kCapitalized) && !(tk.flags & text::kElided) &&
               mention_at_[static_cast<std::size_t>(k)] < 0 &&
               (!r_ || !r_->function_words.count(std::u16string(d_.norm(static_cast<std::size_t>(k)))));
      };
      if (!capword(t)) { ++t; continue; }
      int32_t e = t + 1;
      while (e < n_) {
        if (capword(e) && sentence_of(e) == sentence_of(t)) { ++e; continue; }
        // Hyphenated names: Kassym-Jomart.
        if (e + 1 < n_ && is_char(e, u'-') && tok_begin(e) == tok_end(e - 1) && capword(e + 1) &&
            tok_begin(e + 1) == tok_end(e)) { e += 2; continue; }
        break;
      }
      const bool sentence_initial = t == sent(sentence_of(t)).first_token;
      const bool all_caps = d_.tokens[static_cast<std::size_t>(t)].flags & text::kAllCaps;
      if ((e - t >= 2 || !sentence_initial) && !(all_caps && e - t == 1 && sentence_initial)) {
        Mention x;
        x.first = t;
        x.last = e;
        x.kind = MentionKind::Name;
        // A first and last name is most likely a person; a single capitalised
        // word is as likely a place or an organisation.
        int words = 0;
        for (int32_t k = t; k < e; ++k) words += d_.tokens[static_cast<std::size_t>(k)].kind == TokenKind::Word;
        x.person = words >= 2;
        for (int32_t k = t; k < e; ++k) mention_at_[static_cast<std::size_t>(k)] = static_cast<int32_t>(kept.size());
        kept.push_back(x);
      }
      t = e;
    }
  }
  std::sort(kept.begin(), kept.end(), [](const Mention& a, const Mention& b) { return a.first < b.first; });
  mentions_ = std::move(kept);
  mention_at_.assign(static_cast<std::size_t>(n_), -1);
  for (std::size_t i = 0; i < mentions_.size(); ++i)
    for (int32_t t = mentions_[i].first; t < mentions_[i].last; ++t) mention_at_[static_cast<std::size_t>(t)] = static_cast<int32_t>(i);
}

// ---- speakers -----------------------------------------------------------------

Evidence Work::pick_speaker(int32_t a, int32_t b, bool prefer_last) const {
  // Ranked: a person of the codebook, an unknown name, a role phrase of the
  // codebook, a role noun, another actor (organisation, country), a pronoun.
  Evidence best;
  int best_rank = 100;
  for (int32_t t = std::max(a, 0); t < b && t < n_;) {
    const int32_t mi = mention_at_[static_cast<std::size_t>(t)];
    if (mi < 0) { ++t; continue; }
    const Mention& m = mentions_[static_cast<std::size_t>(mi)];
    t = m.last;
    if (m.first < a || m.last > b) continue;
    int rank;
    Evidence ev;
    ev.first = m.first;
    ev.last = m.last;
    switch (m.kind) {
      case MentionKind::Actor:
        rank = m.person ? 0 : 4;
        ev.kind = m.person ? Evidence::Actor : Evidence::OrgActor;
        ev.actor = m.actor;
        break;
      case MentionKind::Name: rank = 1; ev.kind = Evidence::Name; break;
      case MentionKind::Description: rank = 2; ev.kind = Evidence::Description; ev.actor = m.actor; break;
      case MentionKind::Role: rank = 3; ev.kind = Evidence::Role; ev.role = m.role; break;
      case MentionKind::Pronoun: rank = 5; ev.kind = Evidence::Pronoun; ev.gender = m.gender; ev.strong = true; break;
      default: continue;  // media are never speakers
    }
    if (rank < best_rank || (prefer_last && rank == best_rank)) {
      best_rank = rank;
      best = ev;
    }
  }
  if (best.kind == Evidence::Name) best.name = d_.slice(tok_begin(best.first), tok_end(best.last - 1));
  return best;
}

Evidence Work::pronoun_in(int32_t a, int32_t b) const {
  Evidence ev;
  for (int32_t t = std::max(0, a); t < b && t < n_; ++t) {
    const int32_t mi = mention_at_[static_cast<std::size_t>(t)];
    if (mi >= 0 && mentions_[static_cast<std::size_t>(mi)].kind == MentionKind::Pronoun) {
      const Mention& m = mentions_[static_cast<std::size_t>(mi)];
      ev.kind = Evidence::Pronoun;
      ev.gender = m.gender;
      ev.strong = true;
      ev.first = m.first;
      ev.last = m.last;
      return ev;
    }
  }
  return ev;
}

std::string Work::sources_in(int32_t a, int32_t b, uint8_t* gender) const {
  std::string out;
  if (!r_) return out;
  for (int32_t t = std::max(0, a); t < b && t < n_; ++t) {
    if (gender) {
      const auto g = at(r_->source_gender, t, std::min(b, n_));
      if (g.found()) *gender = static_cast<uint8_t>(r_->source_gender.payloads(g.node).front());
    }
    const auto m = at(r_->source, t, std::min(b, n_));
    if (!m.found()) continue;
    // The medium: a codebook medium, else the name as written, after the cue.
    for (int32_t k = m.last; k < std::min(b, m.last + 6); ++k) {
      const int32_t mi = mention_at_[static_cast<std::size_t>(k)];
      if (mi < 0) continue;
      const Mention& x = mentions_[static_cast<std::size_t>(mi)];
      std::string name;
      if (x.kind == MentionKind::Media) name = cb_.media[static_cast<std::size_t>(x.actor)].id;
      else if (x.kind == MentionKind::Name) name = d_.slice(tok_begin(x.first), tok_end(x.last - 1));
      if (name.empty()) continue;
      if (out.find(name) == std::string::npos) out += (out.empty() ? "" : ";") + name;
      break;
    }
    if (!gender) t = m.last - 1;
  }
  // Media named anywhere in the window count too ("à l'agence RIA").
  for (int32_t t = std::max(0, a); t < b && t < n_; ++t) {
    const int32_t mi = mention_at_[static_cast<std::size_t>(t)];
    if (mi < 0 || mentions_[static_cast<std::size_t>(mi)].kind != MentionKind::Media) continue;
    const std::string& id = cb_.media[static_cast<std::size_t>(mentions_[static_cast<std::size_t>(mi)].actor)].id;
    if (out.find(id) == std::string::npos) out += (out.empty() ? "" : ";") + id;
    t = mentions_[static_cast<std::size_t>(mi)].last - 1;
  }
  return out;
}

// The cue region around speech verb token `v`: auxiliaries, subject
// pronouns and hyphens to its left ("a-t-elle déclaré", "il a dit"),
// no further left than `lo`.
Work::Cue Work::cue_at(int32_t v, int32_t lo) const {
  Cue c;
  const auto m = at(r_->speech, v, n_);
  c.verb = v;
  c.last = m.found() ? m.last : v + 1;
  c.first = v;
  while (c.first - 1 >= lo) {
    const int32_t t = c.first - 1;
    const bool aux = at(r_->aux, t, t + 1).found();
    const int32_t mi = mention_at_[static_cast<std::size_t>(t)];
    const bool pron = mi >= 0 && mentions_[static_cast<std::size_t>(mi)].kind == MentionKind::Pronoun;
    const bool hyphen = is_char(t, u'-') && tok_end(t) == tok_begin(t + 1);
    if (!(aux || pron || hyphen)) break;
    c.first = t;
  }
  const auto g = at(r_->gender, v, n_);
  if (g.found()) c.gender = static_cast<uint8_t>(r_->gender.payloads(g.node).front());
  return c;
}

// Where a speaker phrase after a cue ends: at a second comma, a relay
// phrase, a participle clause, a quotation mark or a stop.
int32_t Work::speaker_window_end(int32_t from, int32_t limit) const {
  int commas = 0;
  for (int32_t t = from; t < limit; ++t) {
    if (is_stop(t) || is_quote_tok(t)) return t;
    if (r_ && (at(r_->source, t, limit).found() || at(r_->participle, t, limit).found() ||
               at(r_->comp, t, limit).found() || at(r_->fused, t, limit).found()))
      return t;
    if (is_comma(t)) {
      if (++commas == 2) return t;
      // One comma is crossed only into an apposition: "..., Jen Psaki, ...".
      if (t + 1 >= limit || mention_at_[static_cast<std::size_t>(t + 1)] < 0) return t;
    }
  }
  return limit;
}

// A dateline at the start of a paragraph: "JAKARTA - ", "MOSCOW, May 3 (Reuters) -".
// Returns the first token after it (or `s`'s first token).
int32_t Work::dateline_end(int32_t s) const {
  const text::Sentence& S = sent(s);
  if (S.begin != d_.paragraphs[static_cast<std::size_t>(S.paragraph)].begin) return S.first_token;
  const int32_t f = S.first_token;
  if (f >= S.last_token || !(d_.tokens[static_cast<std::size_t>(f)].flags & text::kAllCaps)) return f;
  for (int32_t t = f + 1; t < std::min(S.last_token, f + 10); ++t) {
    if (is_dash(t) && (d_.tokens[static_cast<std::size_t>(t)].flags & text::kSpaceBefore)) return t + 1;
  }
  return f;
}

void Work::trim_content(int32_t& b, int32_t& e, bool strip_stop) const {
  const icu::UnicodeString& u = d_.u16;
  auto space = [&](int32_t i) { return is_space(u.char32At(i)) || u.charAt(i) == 0x200F || u.charAt(i) == 0x200E; };
  while (b < e && space(b)) ++b;
  while (e > b && space(e - 1)) --e;
  if (strip_stop) {
    for (int guard = 0; guard < 4 && e > b; ++guard) {
      const char16_t c = u.charAt(e - 1);
      if (c == u'.' || c == u',' || c == 0x060C || c == u';' || c == 0x061B || c == u':') {
        --e;
      } else if (is_any_quote_char(c) && c != u'\'' && c != 0x2019) {
        // A closing mark with no opening inside the content is stray.
        int opens = 0, closes = 0;
        for (int32_t i = b; i < e; ++i) {
          const char16_t x = u.charAt(i);
          if (x == 0x00AB || x == 0x201C || x == 0x201E || x == 0x2039) ++opens;
          if (x == 0x00BB || x == 0x201D || x == 0x203A) ++closes;
          if (x == u'"') ++opens;
        }
        const bool ascii = c == u'"';
        if (ascii ? (opens % 2 == 1) : (closes > opens)) --e;
        else break;
      } else {
        break;
      }
      while (e > b && space(e - 1)) --e;
    }
  }
}

bool Work::overlaps_indirect(int32_t b, int32_t e) const {
  // Spans are disjoint and sorted: only the neighbours of `b` can overlap.
  auto it = std::lower_bound(indirect_spans_.begin(), indirect_spans_.end(), std::make_pair(b, INT32_MIN));
  if (it != indirect_spans_.end() && it->first < e) return true;
  if (it != indirect_spans_.begin() && std::prev(it)->second > b) return true;
  return false;
}

int32_t Work::add_indirect(int32_t cb, int32_t ce, const Cue& cue, const Evidence& ev, const std::string& source,
                           int32_t anchor_tok) {
  // An end inside a direct quote moves to that quote's sentence end.
  {
    auto it = std::lower_bound(by_open_.begin(), by_open_.end(), std::make_pair(ce, static_cast<std::size_t>(0)));
    if (it != by_open_.begin()) {
      const int32_t far = max_close_[static_cast<std::size_t>(it - by_open_.begin()) - 1];
      if (far >= ce) {
        const int32_t t = token_at_or_after(far);
        if (t < n_) ce = std::max(ce, sent(sentence_of(t)).end);
      }
    }
  }
  trim_content(cb, ce, true);
  if (ce - cb < 2 || overlaps_indirect(cb, ce)) return -1;
  // "soulignant que « ... »": the clause is one quotation in marks, so the
  // quotation is direct and this is its cue.
  if (auto at_cb = open_at_.find(cb); at_cb != open_at_.end()) {
    const RawQuote& rq = raw_[at_cb->second];
    if (!rq.unclosed && rq.close + 1 >= ce && rq.close < ce + 1) {
      given_[at_cb->second] = Given{cue, ev, source};
      return -1;
    }
  }
  Quote q;
  q.begin = cb;
  q.end = ce;
  q.type = QuoteType::Indirect;
  if (cue.first >= 0) {
    q.cue_begin = tok_begin(cue.first);
    q.cue_end = tok_end(cue.last - 1);
  }
  q.source = source;
  q.sentence = sentence_of(anchor_tok);
  q.paragraph = sent(q.sentence).paragraph;
  quotes_.push_back(q);
  evidence_.push_back(ev);
  indirect_spans_.insert(std::lower_bound(indirect_spans_.begin(), indirect_spans_.end(), std::make_pair(cb, ce)),
                         std::make_pair(cb, ce));
  for (int32_t t = token_at_or_after(cb); t < n_ && tok_begin(t) < ce; ++t) indirect_cover_[static_cast<std::size_t>(t)] = 1;
  return static_cast<int32_t>(quotes_.size()) - 1;
}

// Where a reported clause starting in [from, b) ends: the sentence end, or
// before a comma that opens a relay ("..., citant Reuters"), a participle
// clause ("..., محذرا من أن") or a new reporting clause ("..., ودعت ...").
int32_t Work::content_end(int32_t from, int32_t b) const {
  for (int32_t k = from; k + 1 < b; ++k) {
    if (!is_comma(k) || in_direct(k)) continue;
    const int32_t nx = k + 1;
    if (at(r_->source, nx, b).found() || at(r_->participle, nx, b).found()) return tok_begin(k);
    if (at(r_->speech, nx, b).found()) return tok_begin(k);
  }
  return sent(sentence_of(b - 1)).end;
}

// ---- indirect quotes ------------------------------------------------------------

void Work::indirect() {
  if (!r_) return;
  for (std::size_t si = 0; si < d_.sentences.size(); ++si) {
    const text::Sentence& S = d_.sentences[si];
    // Headlines (often in title case) report speech too loosely to parse.
    if (d_.has_headline && S.paragraph == 0) continue;
    const int32_t a = dateline_end(static_cast<int32_t>(si));
    const int32_t b = S.last_token;
    if (a >= b) continue;

    // 1. "Selon X, ..." at the start of a clause, "..., selon X." at the end.
    for (int32_t t = a; t < b; ++t) {
      if (in_direct(t)) continue;
      if (!(t == a || is_comma(t - 1))) continue;
      const auto m = at(r_->according, t, b);
      if (!m.found()) continue;
      int32_t comma = m.last;
      while (comma < b && !is_comma(comma) && !is_stop(comma) && comma - m.last < 12) ++comma;
      Evidence ev = pick_speaker(m.last, comma);
      if (ev.kind == Evidence::None) continue;
      Cue cue;
      cue.first = m.first;
      cue.last = m.last;
      if (comma < b && is_comma(comma) && t == a) {
        // "ووفقا لـX، فإن ...": a complementizer opening the clause is not content.
        int32_t c0 = comma + 1;
        if (c0 < b && at(r_->comp, c0, b).found()) c0 = at(r_->comp, c0, b).last;
        const int32_t cbeg = c0 > comma + 1 && c0 < b ? tok_begin(c0) : tok_end(comma);
        add_indirect(cbeg, content_end(comma + 1, b), cue, ev, sources_in(comma, b), t);
        break;
      }
      if ((comma >= b || is_stop(comma)) && t > a) {
        add_indirect(tok_begin(a), tok_begin(t - 1), cue, ev, "", t);
        break;
      }
    }

    // 2. Complementizer-anchored: "X a déclaré que ...", "قال X إن ...".
    for (int32_t t = a; t < b; ++t) {
      if (in_direct(t)) continue;
      const auto cm = at(r_->comp, t, b);
      const auto fm = at(r_->fused, t, b);
      const auto rel = at(r_->relative, t, b);
      if (!cm.found() && !fm.found() && !rel.found()) continue;
      if (in_indirect(t)) continue;

      if (!rel.found() && t > a) {
        // "ce que", "parce que", "بعد أن": not a reported clause.
        bool blocked = false;
        for (int32_t k = std::max(a, t - 3); k < t && !blocked; ++k) {
          const auto bm = at(r_->blockers, k, t);
          blocked = bm.found() && bm.last == t;
        }
        if (blocked) continue;
      }
      Cue cue;
      Evidence ev;
      int32_t content_b;
      if (rel.found()) {
        // "une déclaration de X, selon laquelle ...": the nearest person before.
        cue.first = rel.first;
        cue.last = rel.last;
        content_b = tok_end(rel.last - 1);
        ev = pick_speaker(std::max(a, t - 16), t, /*prefer_last=*/true);
        if (ev.kind == Evidence::None) continue;
      } else {
        const bool fused = fm.found() && (!cm.found() || fm.last >= cm.last);
        const int32_t comp_last = fused ? fm.last : cm.last;
        content_b = fused ? tok_begin(t) : tok_end(comp_last - 1);
        // The nearest cue to the left, within reach and the same clause.
        int32_t v = -1;
        bool participle = false, noun = false;
        for (int32_t k = t - 1; k >= std::max(a, t - kMaxCueGap); --k) {
          if (is_stop(k) || is_quote_tok(k) || in_direct(k)) break;
          if (at(r_->participle, k, b).found()) { v = k; participle = true; break; }
          if (at(r_->object, k, b).found()) break;  // "وصفت X ... بأنها": the object verb's content
          if (at(r_->speech, k, b).found()) { v = k; break; }
          // A speech noun counts only with its speaker ("تصريح ... بساكي بأن");
          // otherwise ("a déclaré dans un discours ... qu'") the search goes on.
          if (at(r_->nouns, k, b).found() && pick_speaker(k + 1, t, true).kind > Evidence::None &&
              pick_speaker(k + 1, t, true).kind != Evidence::Pronoun) { v = k; noun = true; break; }
          if (k < t - 1 && (at(r_->comp, k, b).found() || at(r_->fused, k, b).found())) break;
        }
        if (v < 0) continue;
        if (participle) {
          // "..., affirmant qu'elles ...": the main clause's subject speaks.
          cue.first = v;
          cue.last = v + 1;
          ev = pick_speaker(a, v);
          if (ev.kind == Evidence::None) ev.kind = Evidence::Context;
          const auto g = at(r_->gender, v, b);
          if (g.found() && ev.kind == Evidence::Context) ev.gender = static_cast<uint8_t>(r_->gender.payloads(g.node).front());
        } else if (noun) {
          // "تصريح ... جين بساكي بأن": a speech noun with its speaker.
          cue.first = v;
          cue.last = t;
          ev = pick_speaker(v + 1, t, true);
          if (ev.kind == Evidence::None || ev.kind == Evidence::Pronoun) continue;
        } else {
          cue = cue_at(v, a);
          Evidence pr = pronoun_in(cue.first, cue.last);
          Evidence right = pick_speaker(cue.last, t);
          Evidence left = pick_speaker(a, cue.first);
          if (pr.kind != Evidence::None) ev = pr;
          else if (r_->subject_after_verb) ev = right.kind != Evidence::None ? right : left;
          else ev = left.kind != Evidence::None ? left : right;
          if (ev.kind == Evidence::None || (ev.kind == Evidence::Pronoun && pr.kind == Evidence::None &&
                                            right.kind == Evidence::Pronoun && !r_->subject_after_verb)) {
            // The subject is only in the verb ("وقال يوم الثلاثاء إن").
            if (ev.kind == Evidence::None) {
              ev.kind = Evidence::Pronoun;
              ev.gender = cue.gender;
              ev.strong = false;
              ev.first = cue.first;
              ev.last = cue.last;
            }
          }
        }
      }
      std::string source = sources_in(cue.first >= 0 ? cue.first : t, b);
      const int32_t qi = add_indirect(content_b, content_end(t + 1, b), cue, ev, source, t);
      if (qi >= 0) t = token_at_or_after(quotes_[static_cast<std::size_t>(qi)].end) - 1;
    }

    // 2b. No complementizer where the language allows it: "Kovacs said her party had ...".
    if (r_->zero_complementizer) {
      for (int32_t v = a; v < b; ++v) {
        if (in_direct(v) || !at(r_->speech, v, b).found() || at(r_->participle, v, b).found() ||
            at(r_->object, v, b).found())
          continue;
        if (in_indirect(v)) continue;
        Cue cue = cue_at(v, a);
        const int32_t nx = cue.last;
        if (nx + 2 >= b || punct(nx) || is_quote_tok(nx) || in_direct(nx)) continue;
        if (at(r_->comp, nx, b).found() || at(r_->blockers, nx, b).found() || at(r_->speech, nx, b).found()) continue;
        const int32_t mi = mention_at_[static_cast<std::size_t>(nx)];
        if (mi >= 0 && mentions_[static_cast<std::size_t>(mi)].kind == MentionKind::Media) continue;
        Evidence ev = pronoun_in(cue.first, cue.last);
        if (ev.kind == Evidence::None) ev = pick_speaker(a, cue.first);
        if (ev.kind == Evidence::None) continue;
        const int32_t ce = content_end(nx, b);
        // At least a short clause: three words.
        int32_t words = 0;
        for (int32_t k = nx; k < b && tok_begin(k) < ce; ++k) words += d_.tokens[static_cast<std::size_t>(k)].kind == TokenKind::Word;
        if (words < 3) continue;
        const int32_t qi = add_indirect(tok_begin(nx), ce, cue, ev, sources_in(cue.last, b), v);
        if (qi >= 0) v = token_at_or_after(quotes_[static_cast<std::size_t>(qi)].end) - 1;
      }
    }

    // 3. Object verbs without a complementizer: "X a qualifié les actions de ...".
    for (int32_t t = a; t < b; ++t) {
      if (in_direct(t) || !at(r_->object, t, b).found()) continue;
      if (in_indirect(t) || (t + 1 < n_ && in_indirect(t + 1)) || (t > 0 && in_indirect(t - 1))) continue;
      Cue cue = cue_at(t, a);
      if (cue.first > a && (at(r_->comp, cue.first - 1, b).found() || at(r_->fused, cue.first - 1, b).found()))
        continue;  // "ce qu'il décrit comme ...": a characterisation, not a report
      int32_t content_t = cue.last;
      Evidence ev = pronoun_in(cue.first, cue.last);
      if (ev.kind == Evidence::None) {
        if (r_->subject_after_verb) {
          const int32_t mi = cue.last < n_ ? mention_at_[static_cast<std::size_t>(cue.last)] : -1;
          if (mi >= 0 && mentions_[static_cast<std::size_t>(mi)].kind != MentionKind::Media) {
            ev = pick_speaker(cue.last, mentions_[static_cast<std::size_t>(mi)].last);
            content_t = mentions_[static_cast<std::size_t>(mi)].last;
          }
        }
        if (ev.kind == Evidence::None) ev = pick_speaker(a, cue.first);
      }
      if (ev.kind == Evidence::None || content_t >= b) continue;
      // The object must not be the quote of a direct quote already found.
      if (is_quote_tok(content_t) || is_stop(content_t) || is_comma(content_t)) continue;
      add_indirect(tok_begin(content_t), content_end(content_t, b), cue, ev, sources_in(cue.last, b), t);
      break;
    }

    // 4. Content first: "Certains ... Washington, a critiqué X."
    for (int32_t t = a + 3; t < b - 1; ++t) {
      if (!is_comma(t) || in_direct(t)) continue;
      if (t > 0 && is_quote_tok(t - 1)) continue;  // "« ... », a dit X": a direct quote
      // A cue right after the comma, a speaker, then the end of the sentence.
      int32_t v = -1;
      for (int32_t k = t + 1; k < std::min(b, t + 5); ++k) {
        if (at(r_->participle, k, b).found()) break;
        if (at(r_->speech, k, b).found()) { v = k; break; }
        if (!at(r_->aux, k, k + 1).found() && !is_dash(k) && !(mention_at_[static_cast<std::size_t>(k)] >= 0 &&
            mentions_[static_cast<std::size_t>(mention_at_[static_cast<std::size_t>(k)])].kind == MentionKind::Pronoun)) {
          // SV order: "..., X said." -- allow a short subject before the verb.
          if (mention_at_[static_cast<std::size_t>(k)] < 0) break;
        }
      }
      if (v < 0) continue;
      Cue cue = cue_at(v, t + 1);
      const int32_t wend = speaker_window_end(cue.last, b);
      // Nothing but the speaker (and a relay) may follow: no new clause.
      bool clause = false;
      for (int32_t k = cue.last; k <= wend && k < b; ++k)
        if (at(r_->comp, k, b).found() || at(r_->fused, k, b).found() || is_quote_tok(k) || is_char(k, u':'))
          clause = true;
      if (clause) continue;
      Evidence ev = pronoun_in(cue.first, cue.last);
      if (ev.kind == Evidence::None) ev = pick_speaker(cue.last, wend);
      if (ev.kind == Evidence::None) ev = pick_speaker(t + 1, cue.first);
      if (ev.kind == Evidence::None) continue;
      if (overlaps_indirect(tok_begin(a), tok_begin(t))) continue;
      // Not when the content is itself a quotation in marks.
      bool marked = false;
      {
        auto it = std::upper_bound(by_open_.begin(), by_open_.end(),
                                   std::make_pair(tok_begin(a) + 2, std::numeric_limits<std::size_t>::max()));
        if (it != by_open_.begin())
          marked = max_close_[static_cast<std::size_t>(it - by_open_.begin()) - 1] >= tok_begin(t) - 2;
      }
      if (marked) continue;
      add_indirect(tok_begin(a), tok_begin(t), cue, ev, sources_in(cue.last, b), a);
      break;
    }
  }
}

// ---- direct quotes: attribution --------------------------------------------------

// An incise inside a quotation: "« A, a-t-il averti. B »", "«A, — сказал он, — B»".
// Returns true and the cut points (UTF-16) when the quote [cb, ce) holds one.
bool Work::find_incise(int32_t cb, int32_t ce, Incise& out) const {
  if (!r_) return false;
  const int32_t first = token_at_or_after(cb), last = token_at_or_after(ce);
  // Incises stand early in a quotation; the bound keeps deep nesting linear.
  for (int32_t k = first + 1; k + 1 < last && k < first + kMaxIncise; ++k) {
    if (!(is_comma(k) || (is_dash(k) && ch(k) != u'-'))) continue;
    int32_t j = k + 1;
    while (j < last && (is_dash(j) || is_comma(j))) ++j;
    int32_t v = -1;
    for (int32_t m = j; m < std::min(last, j + 7); ++m) {
      if (is_stop(m) || is_quote_tok(m)) break;
      if (at(r_->speech, m, last).found()) { v = m; break; }
    }
    if (v < 0) continue;
    Cue cue = cue_at(v, j);
    if (cue.first != j) continue;  // only cue words between the comma and the verb
    Evidence ev = pronoun_in(cue.first, cue.last);
    int32_t e = cue.last;
    if (ev.kind == Evidence::None) {
      // "..., a répondu le ministre, ...": a speaker right after the verb.
      const int32_t mi = e < last ? mention_at_[static_cast<std::size_t>(e)] : -1;
      if (mi < 0 || mentions_[static_cast<std::size_t>(mi)].kind == MentionKind::Media) continue;
      const int32_t wend = speaker_window_end(e, last);
      ev = pick_speaker(e, wend);
      if (ev.kind == Evidence::None) continue;
      e = wend;
    }
    if (e < last && (at(r_->comp, e, last).found() || at(r_->fused, e, last).found())) continue;
    // The incise ends at the next comma, dash or stop.
    while (e < last && !is_comma(e) && !is_stop(e) && !is_dash(e) && e - cue.last < 10) ++e;
    if (e >= last) {
      out.resume = ce;
    } else {
      int32_t r = e;
      while (r < last && (is_comma(r) || is_dash(r) || is_char(r, u'.'))) ++r;
      out.resume = r < last ? tok_begin(r) : ce;
    }
    out.cut = tok_begin(k);
    out.cue = cue;
    out.ev = ev;
    return true;
  }
  return false;
}

void Work::attribute_direct() {
  for (std::size_t ri = 0; ri < raw_.size(); ++ri) {
    const RawQuote& rq = raw_[ri];
    Quote q;
    q.begin = rq.open + 1;
    q.end = rq.close;
    q.unclosed = rq.unclosed;
    int32_t cb = q.begin, ce = q.end;
    trim_content(cb, ce, rq.dash);
    if (ce <= cb) continue;
    q.begin = cb;
    q.end = ce;
    q.type = QuoteType::Direct;
    const int32_t first_tok = token_at_or_after(q.begin);
    if (first_tok >= n_) continue;
    q.sentence = sentence_of(first_tok);
    q.paragraph = sent(q.sentence).paragraph;
    Evidence ev;
    Cue cue;
    std::string source;
    Incise incise;
    const bool has_incise = find_incise(q.begin, q.end, incise);
    auto given = given_.find(ri);
    if (given != given_.end()) {
      cue = given->second.cue;
      ev = given->second.ev;
      source = given->second.source;
      if (cue.verb < 0) cue.verb = cue.first;
    } else if (has_incise) {
      cue = incise.cue;
      ev = incise.ev;
      const int32_t e = token_at_or_after(incise.resume);
      source = sources_in(cue.last, e, nullptr);
    } else if (r_) {
      // After the closing mark, in the sentence that holds it.
      const int32_t after = token_at_or_after(rq.close + (rq.unclosed ? 0 : 1));
      if (after < n_ && !rq.unclosed) {
        const int32_t s = sentence_of(std::min(after, n_ - 1));
        int32_t lim = sent(s).last_token;
        // The next quotation opens a new attribution window.
        {
          auto it = std::upper_bound(by_open_.begin(), by_open_.end(),
                                     std::make_pair(rq.close, std::numeric_limits<std::size_t>::max()));
          if (it != by_open_.end() && it->first < tok_begin(std::min(lim, n_) - 1) + 1)
            lim = std::min(lim, token_at_or_after(it->first));
        }
        int32_t k = after;
        while (k < lim && (is_comma(k) || is_dash(k))) ++k;
        // A cue within a few tokens: "», a déclaré X", "," he said", "», — сказал он".
        int32_t v = -1;
        for (int32_t j = k; j < std::min(lim, k + 6); ++j) {
          if (is_stop(j) || is_quote_tok(j)) break;
          if (at(r_->speech, j, lim).found() || at(r_->object, j, lim).found()) { v = j; break; }
        }
        if (v >= 0 && k > after - 1 && (k > after || after == token_at_or_after(rq.close + 1))) {
          cue = cue_at(v, k);
          const int32_t wend = speaker_window_end(cue.last, lim);
          ev = pronoun_in(cue.first, cue.last);
          if (ev.kind == Evidence::None) ev = pick_speaker(k, cue.first);          // "», X said"
          if (ev.kind == Evidence::None) ev = pick_speaker(cue.last, wend);       // "», said X"
          if (ev.kind == Evidence::None) {
            ev.kind = Evidence::Pronoun;  // "», ajoute-t-il" is caught above; a bare verb:
            ev.gender = cue.gender;
            ev.strong = false;
            ev.first = cue.first;
            ev.last = cue.last;
          }
          uint8_t g = kAnyGender;
          source = sources_in(cue.last, lim, &g);
          if (g != kAnyGender && ev.kind == Evidence::Pronoun) { ev.gender = g; ev.strong = true; }
        }
      }
      if (cue.verb < 0) {
        // Before the opening mark: "X a déclaré : « ... »", "وقال X " ... "".
        const int32_t open_tok = token_at_or_after(rq.open);
        int32_t lo = sent(sentence_of(std::min(open_tok, n_ - 1))).first_token;
        {
          auto it = std::lower_bound(by_close_.begin(), by_close_.end(), std::make_pair(rq.open, static_cast<std::size_t>(0)));
          if (it != by_close_.begin() && std::prev(it)->first >= tok_begin(lo))
            lo = std::max(lo, token_at_or_after(std::prev(it)->first + 1));
        }
        lo = std::max(lo, dateline_end(sentence_of(std::min(open_tok, n_ - 1))));
        int32_t v = -1;
        for (int32_t j = open_tok - 1; j >= lo; --j) {
          if (in_direct(j) && j != open_tok - 1) break;
          if (at(r_->speech, j, open_tok).found()) { v = j; break; }
        }
        // The cue must govern the quote: only a colon, the speaker and
        // circumstances may stand between them, not another clause.
        if (v >= 0) {
          bool clause = false;
          for (int32_t j = v + 1; j < open_tok; ++j) {
            if (is_stop(j) && !is_char(j, u':')) clause = true;
            if (at(r_->comp, j, open_tok).found() || at(r_->fused, j, open_tok).found()) clause = true;
          }
          if (clause) v = -1;
        }
        if (v >= 0) {
          cue = cue_at(v, lo);
          ev = pronoun_in(cue.first, cue.last);
          Evidence right = pick_speaker(cue.last, open_tok);
          Evidence left = pick_speaker(lo, cue.first);
          if (ev.kind == Evidence::None) {
            if (r_->subject_after_verb) ev = right.kind != Evidence::None ? right : left;
            else ev = left.kind != Evidence::None ? left : right;
          }
          if (ev.kind == Evidence::None) {
            // Only the verb speaks for a subject ("وقال "..."). A fragment of a
            // word or two after a bare verb is a name or label ("le projet dit
            // « X »"), not a quotation.
            const int32_t words = token_at_or_after(q.end) - first_tok;
            if (words >= 3) {
              ev.kind = Evidence::Pronoun;
              ev.gender = cue.gender;
              ev.strong = false;
              ev.first = cue.first;
              ev.last = cue.last;
            } else {
              cue = Cue{};
            }
          }
          // A relay after the quote may still tell the speaker's gender.
          uint8_t g = kAnyGender;
          const int32_t after = token_at_or_after(rq.close + 1);
          const int32_t lim = after < n_ ? sent(sentence_of(after)).last_token : n_;
          source = sources_in(cue.last, open_tok, &g);
          std::string more = sources_in(after, lim, &g);
          if (!more.empty() && source.find(more) == std::string::npos) source += (source.empty() ? "" : ";") + more;
          if (g != kAnyGender && ev.kind == Evidence::Pronoun) { ev.gender = g; ev.strong = true; }
        }
      }
    }
    if (cue.verb >= 0) {
      q.cue_begin = tok_begin(cue.first);
      q.cue_end = tok_end(cue.last - 1);
    } else {
      // No cue: a quotation that stands as its own paragraph continues the
      // previous speaker; a short fragment is kept only inside another quote.
      const text::Paragraph& P = d_.paragraphs[static_cast<std::size_t>(q.paragraph)];
      const int32_t words = token_at_or_after(q.end) - first_tok;
      const bool own_paragraph = (rq.open - P.begin) < 3 && (P.end - rq.close) < 4;
      if (own_paragraph && words >= 4) ev.kind = Evidence::Context;
      else ev.kind = Evidence::None;
    }
    q.source = source;
    if (has_incise && given == given_.end()) {
      // Two quotations around the incise; after an unclosed quote's incise
      // comes narration, not speech.
      Quote first = q;
      int32_t b1 = q.begin, e1 = incise.cut;
      trim_content(b1, e1, false);
      first.begin = b1;
      first.end = e1;
      if (e1 > b1) {
        quotes_.push_back(first);
        evidence_.push_back(ev);
      }
      if (!q.unclosed && incise.resume < q.end) {
        int32_t b2 = incise.resume, e2 = q.end;
        trim_content(b2, e2, false);
        if (e2 > b2) {
          Quote second = q;
          second.begin = b2;
          second.end = e2;
          const int32_t t2 = token_at_or_after(b2);
          second.sentence = sentence_of(std::min(t2, n_ - 1));
          quotes_.push_back(second);
          evidence_.push_back(ev);
        }
      }
      continue;
    }
    quotes_.push_back(q);
    evidence_.push_back(ev);
  }
}

// ---- resolution, in document order ----------------------------------------------

void Work::resolve() {
  // Sort by start (outer before inner), keeping evidence alongside.
  std::vector<std::size_t> order(quotes_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    if (quotes_[x].begin != quotes_[y].begin) return quotes_[x].begin < quotes_[y].begin;
    return quotes_[x].end > quotes_[y].end;
  });
  std::vector<Quote> qs;
  std::vector<Evidence> evs;
  for (std::size_t i : order) {
    qs.push_back(quotes_[i]);
    evs.push_back(evidence_[i]);
  }
  // Parents: the innermost earlier quote that contains this one.
  std::vector<int32_t> open;
  for (std::size_t i = 0; i < qs.size(); ++i) {
    while (!open.empty() && qs[static_cast<std::size_t>(open.back())].end < qs[i].end) open.pop_back();
    if (!open.empty()) {
      qs[i].parent = open.back();
      if (qs[static_cast<std::size_t>(open.back())].type == QuoteType::Indirect)
        qs[static_cast<std::size_t>(open.back())].type = QuoteType::Mixed;
    }
    open.push_back(static_cast<int32_t>(i));
  }
  // Drop uncued fragments outside any quote (scare quotes in narration)
  // and cueless duplicates of a reported clause.
  std::vector<uint8_t> keep(qs.size(), 1);
  for (std::size_t i = 0; i < qs.size(); ++i)
    if (evs[i].kind == Evidence::None && qs[i].parent < 0 && qs[i].type == QuoteType::Direct) keep[i] = 0;

  struct Spoken { int32_t actor; std::string name; uint8_t gender; int32_t paragraph; int32_t pos; };
  std::vector<Spoken> speakers;  // in document order
  auto actor_gender = [&](int32_t a) { return gender_code(cb_.actors[static_cast<std::size_t>(a)].gender); };
  auto cb_person = [&](int32_t a) { return cb_.actors[static_cast<std::size_t>(a)].kind == "person"; };
  auto sole_actor_with_role = [&](int32_t role) {
    int32_t found = -1;
    for (std::size_t a = 0; a < actor_roles_.size(); ++a) {
      const auto& rs = actor_roles_[a];
      if (std::find(rs.begin(), rs.end(), role) == rs.end()) continue;
      if (found >= 0) return -1;
      found = static_cast<int32_t>(a);
    }
    return found;
  };
  auto has_role = [&](int32_t a, int32_t role) {
    const auto& rs = actor_roles_[static_cast<std::size_t>(a)];
    return std::find(rs.begin(), rs.end(), role) != rs.end();
  };

  for (std::size_t i = 0; i < qs.size(); ++i) {
    Quote& q = qs[i];
    const Evidence& ev = evs[i];
    const int32_t pos_tok = ev.first >= 0 ? ev.first : token_at_or_after(q.begin);
    auto set_span = [&]() {
      if (ev.first >= 0) {
        q.speaker_begin = tok_begin(ev.first);
        q.speaker_end = tok_end(ev.last - 1);
      }
    };
    auto take = [&](const Spoken& s) {
      q.actor = s.actor;
      q.speaker = s.actor >= 0 ? cb_.actors[static_cast<std::size_t>(s.actor)].label : s.name;
      if (q.speaker.empty() && s.actor >= 0) q.speaker = cb_.actors[static_cast<std::size_t>(s.actor)].id;
    };
    // Mentions of persons before this point, most recent first, as fallbacks.
    auto recent_mentions = [&](auto pred) -> const Mention* {
      // Mentions are sorted by position: start just before this quote and
      // look back a bounded distance.
      auto end = std::upper_bound(mentions_.begin(), mentions_.end(), pos_tok,
                                  [](int32_t v, const Mention& m) { return v < m.first; });
      std::size_t looked = 0;
      for (auto it = end; it != mentions_.begin() && looked < kLookback; ++looked) {
        const Mention& m = *--it;
        if (m.last > pos_tok) continue;
        if ((m.kind == MentionKind::Actor || m.kind == MentionKind::Description || m.kind == MentionKind::Name) && pred(m))
          return &m;
      }
      return nullptr;
    };
    auto from_mention = [&](const Mention& m) {
      Spoken s{m.kind == MentionKind::Name ? -1 : m.actor,
               m.kind == MentionKind::Name ? d_.slice(tok_begin(m.first), tok_end(m.last - 1)) : "",
               m.gender, 0, m.first};
      return s;
    };
    switch (ev.kind) {
      case Evidence::Actor:
      case Evidence::OrgActor:
        q.actor = ev.actor;
        take(Spoken{ev.actor, "", 0, 0, -1});
        q.attribution = Attribution::Explicit;
        q.confidence = 0.95f;
        set_span();
        break;
      case Evidence::Description:
        take(Spoken{ev.actor, "", 0, 0, -1});
        q.attribution = Attribution::Role;
        q.confidence = 0.85f;
        set_span();
        break;
      case Evidence::Name:
        q.speaker = ev.name;
        q.attribution = Attribution::Explicit;
        q.confidence = 0.85f;
        set_span();
        break;
      case Evidence::Pronoun: {
        q.attribution = Attribution::Pronoun;
        set_span();
        if (!ev.strong && !speakers.empty() && speakers.back().paragraph >= q.paragraph - kContextParagraphs) {
          // Gender from a verb ending alone is weak (and often wrong in
          // machine translation): the previous speaker carries on.
          take(speakers.back());
          q.confidence = 0.7f;
          break;
        }
        // The most recent person spoken of or quoted whose gender fits; a
        // person of known gender first, then anyone named nearby.
        const Spoken* pick = nullptr;
        const Mention* pm = nullptr;
        int32_t best_pos = -1;
        for (std::size_t k = speakers.size(); k-- > 0 && speakers.size() - k <= kLookback;) {
          const Spoken& sp = speakers[k];
          if (sp.actor < 0 || !cb_person(sp.actor) || sp.gender == kAnyGender || !compatible(ev.gender, sp.gender)) continue;
          pick = &sp;
          best_pos = sp.pos;
          break;
        }
        if (const Mention* m = recent_mentions([&](const Mention& x) {
              return x.person && (x.kind == MentionKind::Name || (x.gender != kAnyGender && compatible(ev.gender, x.gender))); })) {
          if (m->first > best_pos) { pm = m; pick = nullptr; }
        }
        if (!pick && !pm) {
          for (std::size_t k = speakers.size(); k-- > 0 && speakers.size() - k <= kLookback;)
            if (compatible(ev.gender, speakers[k].gender) && speakers[k].paragraph >= q.paragraph - kContextParagraphs) {
              pick = &speakers[k];
              break;
            }
        }
        if (pick) {
          take(*pick);
          q.confidence = ev.strong ? 0.8f : 0.7f;
        } else if (pm) {
          take(from_mention(*pm));
          q.confidence = 0.75f;
        } else {
          q.confidence = 0.2f;
        }
        break;
      }
      case Evidence::Role: {
        q.attribution = Attribution::Role;
        set_span();
        const Spoken* pick = nullptr;
        int32_t best_pos = -1;
        for (std::size_t k = speakers.size(); k-- > 0 && speakers.size() - k <= kLookback;)
          if (speakers[k].actor >= 0 && has_role(speakers[k].actor, ev.role)) { pick = &speakers[k]; best_pos = pick->pos; break; }
        const Mention* pm = recent_mentions([&](const Mention& x) { return x.kind != MentionKind::Name && has_role(x.actor, ev.role); });
        if (pm && pm->first > best_pos) pick = nullptr; else pm = nullptr;
        if (pick) {
          take(*pick);
          q.confidence = 0.75f;
        } else if (pm) {
          take(from_mention(*pm));
          q.confidence = 0.7f;
        } else if (const int32_t only = sole_actor_with_role(ev.role); only >= 0) {
          // The codebook has exactly one actor holding this role.
          take(Spoken{only, "", 0, 0, -1});
          q.confidence = 0.6f;
        } else {
          q.speaker = d_.slice(tok_begin(ev.first), tok_end(ev.last - 1));
          q.confidence = 0.4f;
        }
        break;
      }
      case Evidence::Context: {
        q.attribution = Attribution::Context;
        const Spoken* pick = nullptr;
        for (std::size_t k = speakers.size(); k-- > 0 && speakers.size() - k <= kLookback;)
          if (speakers[k].paragraph >= q.paragraph - kContextParagraphs && compatible(ev.gender, speakers[k].gender)) { pick = &speakers[k]; break; }
        if (pick) {
          take(*pick);
          q.confidence = 0.5f;
        } else {
          q.confidence = 0.2f;
        }
        break;
      }
      case Evidence::None:
        q.attribution = Attribution::None;
        if (q.parent >= 0 && qs[static_cast<std::size_t>(q.parent)].type != QuoteType::Direct) {
          // A fragment quoted inside reported speech: the reporter quotes the speaker.
          const Quote& p = qs[static_cast<std::size_t>(q.parent)];
          q.actor = p.actor;
          q.speaker = p.speaker;
          q.attribution = Attribution::Context;
          q.confidence = 0.5f;
        } else {
          q.confidence = 0.2f;
        }
        break;
    }
    if (q.unclosed) q.confidence *= 0.8f;
    if (!keep[i]) continue;
    if (q.actor >= 0 || !q.speaker.empty()) {
      const uint8_t g = q.actor >= 0 ? actor_gender(q.actor) : static_cast<uint8_t>(kAnyGender);
      if (ev.kind != Evidence::None || q.parent < 0) speakers.push_back(Spoken{q.actor, q.speaker, g, q.paragraph, pos_tok});
    }
  }
  // Compact, remapping parents.
  std::vector<int32_t> remap(qs.size(), -1);
  quotes_.clear();
  for (std::size_t i = 0; i < qs.size(); ++i) {
    if (!keep[i]) continue;
    remap[i] = static_cast<int32_t>(quotes_.size());
    quotes_.push_back(qs[i]);
  }
  for (auto& q : quotes_) q.parent = q.parent >= 0 ? remap[static_cast<std::size_t>(q.parent)] : -1;
}

std::vector<Quote> Work::run() {
  scan_marks();
  dash_dialogue();
  index_raw();
  // Tokens inside any quotation: a difference array, linear however deep.
  direct_cover_.assign(static_cast<std::size_t>(n_), 0);
  std::vector<int32_t> diff(static_cast<std::size_t>(n_) + 1, 0);
  for (const auto& rq : raw_) {
    const int32_t a = token_at_or_after(rq.open), b = token_at_or_after(rq.close + 1);
    if (a < b) { ++diff[static_cast<std::size_t>(a)]; --diff[static_cast<std::size_t>(b)]; }
  }
  int32_t depth = 0;
  for (int32_t t = 0; t < n_; ++t) {
    depth += diff[static_cast<std::size_t>(t)];
    direct_cover_[static_cast<std::size_t>(t)] = depth > 0;
  }
  indirect_cover_.assign(static_cast<std::size_t>(n_), 0);
  find_mentions();
  indirect();
  attribute_direct();
  resolve();
  return std::move(quotes_);
}

}  // namespace

std::vector<Extractor::EntityMention> Extractor::mentions(const text::Document& doc) const {
  lexicon::Keys keys;
  this->keys(doc, keys);
  std::vector<EntityMention> out;
  std::vector<Trie::Match> ms;
  const auto n = static_cast<int32_t>(doc.tokens.size());
  actors_.find_all(keys, 0, n, ms);
  for (const auto& m : ms) {
    const int32_t p = actors_.payloads(m.node).front();
    out.push_back(EntityMention{doc.tokens[static_cast<std::size_t>(m.first)].begin,
                                doc.tokens[static_cast<std::size_t>(m.last - 1)].end, p & ~kDescription, false,
                                (p & kDescription) != 0});
  }
  ms.clear();
  media_.find_all(keys, 0, n, ms);
  for (const auto& m : ms)
    out.push_back(EntityMention{doc.tokens[static_cast<std::size_t>(m.first)].begin,
                                doc.tokens[static_cast<std::size_t>(m.last - 1)].end, media_.payloads(m.node).front(),
                                true, false});
  std::sort(out.begin(), out.end(), [](const EntityMention& a, const EntityMention& b) { return a.begin < b.begin; });
  return out;
}

void Extractor::keys(const text::Document& doc, lexicon::Keys& out) const {
  static const std::vector<lexicon::Clitic> none;
  const LangRules* r = rules_for(doc.lang);
  vocab_->keys(doc, r ? r->clitics : none, out);
}

std::vector<Quote> Extractor::extract(const text::Document& doc) const {
  lexicon::Keys k;
  keys(doc, k);
  return extract(doc, k);
}

std::vector<Quote> Extractor::extract(const text::Document& doc, const lexicon::Keys& keys) const {
  Work w(doc, rules_for(doc.lang), keys, actors_, media_, *codebook_, actor_roles_);
  return w.run();
}

}  // namespace quoteframe::quotes
