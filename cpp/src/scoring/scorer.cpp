#include "quoteframe/scoring/scorer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "quoteframe/errors.hpp"

namespace quoteframe::scoring {

const char* entry_kind_name(EntryKind k) {
  switch (k) {
    case EntryKind::Frame: return "frame";
    case EntryKind::Target: return "target";
    case EntryKind::Positive: return "positive";
    case EntryKind::Negative: return "negative";
    case EntryKind::Negator: return "negator";
    case EntryKind::Intensifier: return "intensifier";
    case EntryKind::Diminisher: return "diminisher";
    case EntryKind::Hedge: return "hedge";
    case EntryKind::Distancing: return "distancing";
    case EntryKind::Contrast: return "contrast";
    case EntryKind::Counterfactual: return "counterfactual";
    case EntryKind::Shifter: return "shifter";
    case EntryKind::Directive: return "directive";
    case EntryKind::Continuation: return "continuation";
  }
  return "?";
}

namespace {
constexpr int kNegationReach = 3;   // words a negator reaches forward
constexpr int kModifierReach = 2;   // words an intensifier or diminisher reaches
constexpr int kTargetReach = 4;     // words between an evaluation and its target mention
constexpr int kShifterReach = 8;    // words a polarity shifter reaches (its clause, roughly)
constexpr int kDistanceReach = 8;   // words a distancing marker covers
constexpr int kPhraseGap = 3;       // words a gapped lexicon entry ("accompli* … mission*") may skip
constexpr int kDirectiveGap = 20;   // tokens of addressee between a directive and its particle
constexpr float kIntensify = 1.5f, kDiminish = 0.5f, kContrastWeight = 0.5f;
// A directive's own weight as a negative evaluation of its addressee: mild, so
// one evaluative word in its scope outweighs it.
constexpr float kDirectiveWeight = 0.5f;
constexpr float kLabelThreshold = 0.2f;

// "head … tail" (or "head ... tail"): the byte offset of the gap marker and its length.
std::pair<std::size_t, std::size_t> find_gap(const std::string& p) {
  static const std::string ellipsis = "\xE2\x80\xA6", dots = " ... ";
  std::size_t at = p.find(ellipsis);
  if (at != std::string::npos) return {at, ellipsis.size()};
  at = p.find(dots);
  if (at != std::string::npos) return {at, dots.size()};
  return {std::string::npos, 0};
}
}  // namespace

struct Scorer::Layers {
  lexicon::Trie topics;      // frames and targets
  lexicon::Trie evaluative;  // positive and negative
  lexicon::Trie modifiers;   // negators, intensifiers, hedges, directives, ...
  lexicon::Trie tails;       // the tails of gapped entries; payload = the entry
  lexicon::Trie continuations;
  std::vector<lexicon::Clitic> clitics;
};

Scorer::Scorer(std::shared_ptr<const text::LanguageRegistry> langs, std::shared_ptr<const codebook::Codebook> cb,
               std::shared_ptr<const LexiconRegistry> lexicons, std::shared_ptr<lexicon::Vocabulary> vocab)
    : langs_(std::move(langs)), codebook_(std::move(cb)), lexicons_(std::move(lexicons)), vocab_(std::move(vocab)) {
  if (!langs_ || !codebook_) throw std::invalid_argument("Scorer needs languages and a codebook");
  if (!vocab_) vocab_ = std::make_shared<lexicon::Vocabulary>();
  if (!lexicons_) lexicons_ = std::make_shared<LexiconRegistry>();
  const auto& C = *codebook_;
  n_frames_ = C.frames.size();
  n_targets_ = C.targets.size();
  for (std::size_t t = 0; t < C.targets.size(); ++t)
    if (C.targets[t].id == C.default_target) default_target_ = static_cast<int32_t>(t);

  text::Pipeline pipe(langs_);
  std::vector<std::string> codes = langs_->codes();
  for (const auto& c : lexicons_->codes())
    if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
  for (const auto& c : C.languages)
    if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);

  // `tails`, when given, accepts gapped patterns ("head … tail"): the head
  // goes into `trie`, the tail into `tails`, both with the entry as payload.
  auto add = [&](lexicon::Trie& trie, EntryKind kind, int32_t ref, float weight, const std::string& lang,
                 const std::string& pattern, lexicon::Trie* tails = nullptr) {
    std::vector<text::PatternToken> toks, tail;
    const auto gap = tails ? find_gap(pattern) : std::pair<std::size_t, std::size_t>{std::string::npos, 0};
    if (gap.first != std::string::npos) {
      toks = pipe.tokenize_pattern(pattern.substr(0, gap.first), lang);
      tail = pipe.tokenize_pattern(pattern.substr(gap.first + gap.second), lang);
      if (tail.empty()) return;
    } else {
      toks = pipe.tokenize_pattern(pattern, lang);
    }
    if (toks.empty()) return;
    const int32_t e = static_cast<int32_t>(entries_.size());
    entries_.push_back(Entry{kind, ref, weight, lang, pattern});
    entries_.back().gapped = !tail.empty();
    trie.add(*vocab_, toks, e);
    if (tails && !tail.empty()) tails->add(*vocab_, tail, e);
  };
  for (const auto& code : codes) {
    auto L = std::make_unique<Layers>();
    if (const auto* ld = langs_->find(code)) L->clitics = lexicon::parse_clitics(ld->clitic_prefixes);
    for (std::size_t f = 0; f < C.frames.size(); ++f) {
      auto it = C.frames[f].patterns.find(code);
      if (it == C.frames[f].patterns.end()) continue;
      for (const auto& p : it->second)
        add(L->topics, EntryKind::Frame, static_cast<int32_t>(f), static_cast<float>(p.weight), code, p.text);
    }
    for (std::size_t t = 0; t < C.targets.size(); ++t) {
      auto it = C.targets[t].patterns.find(code);
      if (it == C.targets[t].patterns.end()) continue;
      for (const auto& p : it->second)
        add(L->topics, EntryKind::Target, static_cast<int32_t>(t), static_cast<float>(p.weight), code, p.text);
    }
    auto polarity = [&](const std::map<std::string, std::vector<codebook::Pattern>>& m, EntryKind kind) {
      auto it = m.find(code);
      if (it == m.end()) return;
      for (const auto& p : it->second)
        add(L->evaluative, kind, -1, static_cast<float>(p.weight), code, p.text, &L->tails);
    };
    polarity(C.positive, EntryKind::Positive);
    polarity(C.negative, EntryKind::Negative);
    if (const LexiconData* lx = lexicons_->find(code)) {
      for (const auto& p : lx->positive)
        add(L->evaluative, EntryKind::Positive, -1, static_cast<float>(p.weight), code, p.text, &L->tails);
      for (const auto& p : lx->negative)
        add(L->evaluative, EntryKind::Negative, -1, static_cast<float>(p.weight), code, p.text, &L->tails);
      for (const auto& p : lx->situational) {
        add(L->evaluative, EntryKind::Negative, -1, 1.f, code, p);
        if (!entries_.empty() && entries_.back().pattern == p) entries_.back().situational = true;
      }
      auto mods = [&](const std::vector<std::string>& v, EntryKind kind) {
        for (const auto& s : v) add(L->modifiers, kind, -1, 1.f, code, s);
      };
      mods(lx->negators, EntryKind::Negator);
      mods(lx->intensifiers, EntryKind::Intensifier);
      mods(lx->diminishers, EntryKind::Diminisher);
      mods(lx->hedges, EntryKind::Hedge);
      mods(lx->distancing, EntryKind::Distancing);
      mods(lx->contrast, EntryKind::Contrast);
      mods(lx->counterfactual, EntryKind::Counterfactual);
      mods(lx->shifters, EntryKind::Shifter);
      for (const auto& s : lx->directives) add(L->modifiers, EntryKind::Directive, -1, kDirectiveWeight, code, s, &L->tails);
      for (const auto& s : lx->continuations) add(L->continuations, EntryKind::Continuation, -1, 1.f, code, s);
    }
    layer_codes_.push_back(code);
    layers_.push_back(std::move(L));
  }
  // Two synthetic distancing entries: a quoted fragment inside the quote, and
  // an evaluation that is not the speaker's own.
  scare_entry_ = static_cast<int32_t>(entries_.size());
  entries_.push_back(Entry{EntryKind::Distancing, -1, 1.f, "", "(quoted fragment)"});
  distanced_eval_ = static_cast<int32_t>(entries_.size());
  entries_.push_back(Entry{EntryKind::Distancing, -1, 1.f, "", "(evaluation not asserted)"});

  // Raw features: frames | target mentions | stance per target | hedge | distancing | valence.
  const std::size_t F = n_frames_, T = n_targets_, E = entries_.size();
  const int32_t c_hedge = static_cast<int32_t>(F + 2 * T), c_dist = c_hedge + 1, c_val = c_hedge + 2;
  for (const auto& f : C.frames) raw_names_.push_back("frame_" + f.id);
  for (const auto& t : C.targets) raw_names_.push_back("mentions_" + t.id);
  for (const auto& t : C.targets) raw_names_.push_back("stance_" + t.id);
  raw_names_.insert(raw_names_.end(), {"uncertainty", "distancing", "valence"});
  n_slots_ = E * (1 + 2 * (T + 1));
  std::vector<Eigen::Triplet<float, int32_t>> w;
  for (std::size_t e = 0; e < E; ++e) {
    const Entry& en = entries_[e];
    const int32_t s = static_cast<int32_t>(e);
    switch (en.kind) {
      case EntryKind::Frame: w.emplace_back(s, en.ref, en.weight); break;
      case EntryKind::Target: w.emplace_back(s, static_cast<int32_t>(F) + en.ref, en.weight); break;
      case EntryKind::Hedge: w.emplace_back(s, c_hedge, 1.f); break;
      case EntryKind::Distancing: w.emplace_back(s, c_dist, 1.f); break;
      case EntryKind::Positive:
      case EntryKind::Negative:
      case EntryKind::Directive: {  // a directive: a negative evaluation of its addressee
        const float pol = (en.kind == EntryKind::Positive ? 1.f : -1.f) * en.weight;
        for (std::size_t t = 0; t <= T; ++t) {
          for (int neg = 0; neg < 2; ++neg) {
            const float v = neg ? -pol : pol;
            const int32_t slot = slot_eval(static_cast<int32_t>(e), static_cast<int32_t>(t), neg != 0);
            if (t < T) w.emplace_back(slot, static_cast<int32_t>(F + T + t), v);
            w.emplace_back(slot, c_val, v);
          }
        }
        break;
      }
      default: break;
    }
  }
  w_.resize(static_cast<int32_t>(n_slots_), static_cast<int32_t>(raw_names_.size()));
  w_.setFromTriplets(w.begin(), w.end());
  w_abs_ = w_.cwiseAbs();

  for (const auto& f : C.frames) names_.push_back("frame_" + f.id);
  for (const auto& t : C.targets) names_.push_back("stance_" + t.id);
  for (const auto& t : C.targets) names_.push_back("stance_" + t.id + "_label");
  names_.insert(names_.end(), {"uncertainty", "distancing", "valence", "n_tokens"});
}

Scorer::~Scorer() = default;

int32_t Scorer::slot_eval(int32_t e, int32_t target, bool negated) const {
  const auto E = static_cast<int32_t>(entries_.size());
  return E + (target * 2 + (negated ? 1 : 0)) * E + e;
}

const Scorer::Layers* Scorer::layers_for(const std::string& code) const {
  for (std::size_t i = 0; i < layer_codes_.size(); ++i)
    if (layer_codes_[i] == code) return layers_[i].get();
  return nullptr;
}

void Scorer::keys(const text::Document& doc, lexicon::Keys& out, lexicon::KeyMemo* memo) const {
  static const std::vector<lexicon::Clitic> none;
  const Layers* L = layers_for(doc.lang);
  vocab_->keys(doc, L ? L->clitics : none, out, memo);
}

int32_t Scorer::collect(const text::Document& doc, const lexicon::Keys& keys, int32_t first, int32_t last,
                        const std::vector<std::pair<int32_t, int32_t>>& nested, int32_t row,
                        std::vector<Eigen::Triplet<float, int32_t>>& trip, std::vector<Hit>* hits) const {
  int32_t n_words = 0;
  for (int32_t t = first; t < last; ++t) n_words += doc.tokens[static_cast<std::size_t>(t)].kind == text::TokenKind::Word;
  const Layers* L = layers_for(doc.lang);
  if (!L || last <= first) return n_words;
  const int32_t n = last - first;

  auto punct = [&](int32_t t) -> char16_t {
    const auto& tk = doc.tokens[static_cast<std::size_t>(t)];
    return tk.kind == text::TokenKind::Punct ? doc.at(tk.begin) : 0;
  };
  auto sentence_stop = [](char16_t c) {
    return c == u'.' || c == u'!' || c == u'?' || c == u';' || c == 0x061F || c == 0x061B || c == 0x2026;
  };
  auto clause_stop = [&](char16_t c) {
    return sentence_stop(c) || c == u',' || c == 0x060C || c == u':' || c == u'(' || c == u')' || c == 0x00AB ||
           c == 0x00BB || c == u'"' || c == 0x201C || c == 0x201D || c == 0x201E;
  };
  // First clause / sentence stop at or after t (or last).
  auto clause_end = [&](int32_t t) {
    while (t < last && !clause_stop(punct(t))) ++t;
    return t;
  };
  auto sentence_end = [&](int32_t t) {
    while (t < last && !sentence_stop(punct(t))) ++t;
    return t;
  };
  auto sentence_begin = [&](int32_t t) {
    while (t > first && !sentence_stop(punct(t - 1))) --t;
    return t;
  };

  // What a directive's addressee may not span: a sentence stop, a quote mark
  // ("appeler la Russie un « agresseur »" names, it does not exhort), a
  // parenthesis or a colon. Commas may separate coordinated addressees.
  auto gap_stop = [&](char16_t c) {
    return sentence_stop(c) || c == u':' || c == u'(' || c == u')' || c == 0x00AB || c == 0x00BB || c == u'"' ||
           c == 0x201C || c == 0x201D || c == 0x201E;
  };
  // The tail of gapped entry `e` after token `from`: its first match within
  // `max_gap` tokens (none a stop), as [returned token, tail_last); -1 if none.
  // Evaluative phrases (`addressee` false) skip words only, no punctuation.
  auto find_tail = [&](int32_t e, int32_t from, int32_t max_gap, bool addressee, int32_t& tail_last) -> int32_t {
    for (int32_t p = from; p < last && p <= from + max_gap; ++p) {
      const lexicon::Trie::Match t = L->tails.longest_at(keys, p, last);
      if (t.found()) {
        const auto& pl = L->tails.payloads(t.node);
        if (std::find(pl.begin(), pl.end(), e) != pl.end()) {
          tail_last = t.last;
          return p;
        }
      }
      const char16_t c = punct(p);
      if (c && (!addressee || gap_stop(c))) return -1;
    }
    return -1;
  };

  std::vector<uint16_t> flags(static_cast<std::size_t>(n), 0);
  auto mark = [&](int32_t from, int32_t to, uint16_t f) {
    for (int32_t t = std::max(from, first); t < std::min(to, last); ++t) flags[static_cast<std::size_t>(t - first)] |= f;
  };
  auto hit = [&](int32_t a, int32_t b, int32_t e, int32_t target, float factor, uint16_t fl) {
    if (hits) hits->push_back(Hit{a, b, e, target, factor, fl});
  };

  // A directive found in the quote: its words [first, last), the scope it
  // flips, and where its addressee may be mentioned.
  struct Directive {
    int32_t first, last, scope_from, scope_to, addr_from, addr_to, entry;
    int32_t addressee = -1;
  };
  std::vector<Directive> directives;
  int32_t continued = first;  // end of the last continuation reported

  std::vector<lexicon::Trie::Match> ms;
  // Modifiers first: they set the context of what follows them.
  L->modifiers.find_all(keys, first, last, ms);
  for (const auto& m : ms) {
    for (int32_t e : L->modifiers.payloads(m.node)) {
      const Entry& en = entries_[static_cast<std::size_t>(e)];
      if (en.kind == EntryKind::Directive) {
        Directive d{m.first, m.last, m.last, 0, m.last, std::min(m.last + kTargetReach + 1, sentence_end(m.last)), e};
        if (en.gapped) {
          int32_t tail_last = 0;
          const int32_t t = find_tail(e, m.last, kDirectiveGap, true, tail_last);
          if (t < 0) continue;  // no particle: "appeler" names, it does not exhort
          d.addr_to = t;
          d.last = d.scope_from = tail_last;
        }
        d.scope_to = sentence_end(d.scope_from);
        mark(d.scope_from, d.scope_to, kDirected);
        directives.push_back(d);
        continue;  // its hit comes once its addressee is known
      }
      switch (en.kind) {
        case EntryKind::Negator: mark(m.last, std::min(m.last + kNegationReach, clause_end(m.last)), kNegated); break;
        case EntryKind::Intensifier: mark(m.last, m.last + kModifierReach, kIntensified); break;
        case EntryKind::Diminisher: mark(m.last, m.last + kModifierReach, kDiminished); break;
        case EntryKind::Distancing:
          mark(m.last, std::min(m.last + kDistanceReach, clause_end(m.last)), kDistanced);
          trip.emplace_back(row, slot_plain(e), 1.f);
          break;
        case EntryKind::Counterfactual: {
          // To the end of the sentence, and on over each next sentence that
          // opens with a coordinated complementiser ("… illégale. Et que …").
          int32_t to = sentence_end(m.last);
          while (to < last) {
            int32_t next = to;
            while (next < last && sentence_stop(punct(next))) ++next;
            const lexicon::Trie::Match c = L->continuations.longest_at(keys, next, last);
            if (!c.found()) break;
            if (c.first >= continued) {  // one hit per continuation, however many scopes it carries
              hit(c.first, c.last, L->continuations.payloads(c.node).front(), -1, 1.f, 0);
              continued = c.last;
            }
            to = sentence_end(c.last);
          }
          mark(m.first, to, kAttributed);
          break;
        }
        case EntryKind::Contrast: mark(sentence_begin(m.first), m.first, kBeforeContrast); break;
        case EntryKind::Shifter: mark(m.last, std::min(m.last + kShifterReach, sentence_end(m.last)), kShifted); break;
        case EntryKind::Hedge: trip.emplace_back(row, slot_plain(e), 1.f); break;
        default: break;
      }
      hit(m.first, m.last, e, -1, 1.f, 0);
    }
  }
  // Quoted fragments inside the quote: someone else's words.
  for (const auto& sp : nested) {
    int32_t a = first, b = first;
    while (a < last && doc.tokens[static_cast<std::size_t>(a)].begin < sp.first) ++a;
    b = a;
    while (b < last && doc.tokens[static_cast<std::size_t>(b)].end <= sp.second) ++b;
    if (b <= a) continue;
    mark(a, b, kDistanced);
    trip.emplace_back(row, slot_plain(scare_entry_), 1.f);
    hit(a, b, scare_entry_, -1, 1.f, kScareQuote);
  }

  // Topics: frames and target mentions.
  std::vector<std::pair<int32_t, int32_t>> mentions;  // (token, target)
  ms.clear();
  L->topics.find_all(keys, first, last, ms);
  for (const auto& m : ms) {
    for (int32_t e : L->topics.payloads(m.node)) {
      const Entry& en = entries_[static_cast<std::size_t>(e)];
      trip.emplace_back(row, slot_plain(e), 1.f);
      if (en.kind == EntryKind::Target) mentions.emplace_back(m.first, en.ref);
      hit(m.first, m.last, e, en.kind == EntryKind::Target ? en.ref : -1, 1.f, 0);
    }
  }

  // Directives: the addressee is the first target mentioned where it may be;
  // an asserted directive with an addressee is a mild negative evaluation of it.
  for (auto& d : directives) {
    int32_t at = last;
    for (const auto& mt : mentions)
      if (mt.first >= d.addr_from && mt.first < d.addr_to && mt.first < at) {
        at = mt.first;
        d.addressee = mt.second;
      }
    const uint16_t f = flags[static_cast<std::size_t>(d.first - first)];
    if (d.addressee >= 0 && !(f & (kDistanced | kAttributed))) {
      trip.emplace_back(row, slot_eval(d.entry, d.addressee, false), 1.f);
      hit(d.first, d.last, d.entry, d.addressee, 1.f, f);
    } else {
      hit(d.first, d.last, d.entry, -1, 0.f, f);
    }
  }

  // Evaluations, in context.
  ms.clear();
  L->evaluative.find_all(keys, first, last, ms);
  int32_t consumed = first;  // a gapped phrase covers the matches inside its gap
  for (const auto& found : ms) {
    if (found.first < consumed) continue;
    const auto& payloads = L->evaluative.payloads(found.node);
    // A gapped entry whose tail follows wins; else the plain entries here.
    int32_t e = -1, m_last = found.last;
    for (int32_t x : payloads) {
      if (!entries_[static_cast<std::size_t>(x)].gapped) continue;
      int32_t tail_last = 0;
      if (find_tail(x, found.last, kPhraseGap, false, tail_last) >= 0) {
        e = x;
        m_last = tail_last;
        break;
      }
    }
    bool situational = false;
    if (e < 0) {
      for (int32_t x : payloads) {
        const Entry& en = entries_[static_cast<std::size_t>(x)];
        if (en.gapped) continue;
        if (e < 0) e = x;
        situational = situational || en.situational;
      }
    }
    if (e < 0) continue;  // only a gapped head, without its tail
    consumed = m_last;
    const int32_t m_first = found.first;
    const uint16_t f = flags[static_cast<std::size_t>(m_first - first)];
    if (f & (kDistanced | kAttributed)) {
      trip.emplace_back(row, slot_plain(distanced_eval_), 1.f);
      hit(m_first, m_last, e, -1, 0.f, f);
      continue;
    }
    // Ending a bad situation is an achievement: a shifted situational word
    // evaluates like any other (unless a directive shifts it back: "urge X
    // to stop the violence" is about the violence again).
    if ((f & kShifted) && !(f & kDirected)) situational = false;
    int32_t target = default_target_ >= 0 && !situational ? default_target_ : static_cast<int32_t>(n_targets_);
    bool addressed = false;
    if (f & kDirected) {
      // In a directive's scope: about its addressee, when it has one.
      for (auto d = directives.rbegin(); d != directives.rend(); ++d) {
        if (m_first < d->scope_from || m_first >= d->scope_to) continue;
        if (d->addressee >= 0) {
          target = d->addressee;
          addressed = true;
        }
        break;
      }
    }
    if (!addressed) {
      // The nearest target mention in the same sentence, within reach.
      int32_t best = kTargetReach + 1;
      const int32_t sb = sentence_begin(m_first), se = sentence_end(m_first);
      for (const auto& mt : mentions) {
        if (mt.first < sb || mt.first >= se) continue;
        const int32_t d = mt.first < m_first ? m_first - mt.first : mt.first - m_last;
        if (d < best) {
          best = d;
          target = mt.second;
        }
      }
    }
    float factor = 1.f;
    if (f & kIntensified) factor *= kIntensify;
    if (f & kDiminished) factor *= kDiminish;
    if (f & kBeforeContrast) factor *= kContrastWeight;
    // A shifter and a negator together cancel ("ne pas arrêter la violence"),
    // and so do a directive and a shifter.
    const bool negated = (f & kNegated) != 0, shifted = (f & kShifted) != 0, directed = (f & kDirected) != 0;
    const bool neg = (negated != shifted) != directed;
    trip.emplace_back(row, slot_eval(e, target, neg), factor);
    hit(m_first, m_last, e, target < static_cast<int32_t>(n_targets_) ? target : -1, neg ? -factor : factor, f);
  }
  return n_words;
}

std::vector<Hit> Scorer::target_mentions(const text::Document& doc, const lexicon::Keys& keys) const {
  std::vector<Hit> out;
  const Layers* L = layers_for(doc.lang);
  if (!L) return out;
  std::vector<lexicon::Trie::Match> ms;
  L->topics.find_all(keys, 0, static_cast<int32_t>(doc.tokens.size()), ms);
  for (const auto& m : ms)
    for (int32_t e : L->topics.payloads(m.node))
      if (entries_[static_cast<std::size_t>(e)].kind == EntryKind::Target)
        out.push_back(Hit{m.first, m.last, e, entries_[static_cast<std::size_t>(e)].ref, 1.f, 0});
  return out;
}

SparseRows Scorer::matrix(std::size_t rows, const std::vector<Eigen::Triplet<float, int32_t>>& trip) const {
  SparseRows m(static_cast<int32_t>(rows), static_cast<int32_t>(n_slots_));
  m.setFromTriplets(trip.begin(), trip.end());  // duplicates are summed
  return m;
}

DenseRows Scorer::features(const SparseRows& m, const Eigen::VectorXf& n_words) const {
  const DenseRows raw = DenseRows(m * w_);
  const DenseRows mag = DenseRows(m * w_abs_);
  const Eigen::Index q = m.rows();
  const Eigen::Index F = static_cast<Eigen::Index>(n_frames_), T = static_cast<Eigen::Index>(n_targets_);
  DenseRows out(q, static_cast<Eigen::Index>(names_.size()));
  const Eigen::ArrayXf per10 = 10.f / n_words.array().max(10.f);
  const Eigen::Index c_hedge = F + 2 * T;
  for (Eigen::Index f = 0; f < F; ++f) out.col(f) = raw.col(f).array() * per10;
  for (Eigen::Index t = 0; t < T; ++t) {
    const Eigen::ArrayXf s = raw.col(F + T + t).array() / (mag.col(F + T + t).array() + 1.f);
    out.col(F + t) = s.matrix();
    out.col(F + T + t) = s.unaryExpr([](float v) { return v >= kLabelThreshold ? 1.f : (v <= -kLabelThreshold ? -1.f : 0.f); }).matrix();
  }
  const Eigen::Index base = F + 2 * T;
  out.col(base) = (raw.col(c_hedge).array() * per10).matrix();
  out.col(base + 1) = (raw.col(c_hedge + 1).array() * per10).matrix();
  out.col(base + 2) = (raw.col(c_hedge + 2).array() / (mag.col(c_hedge + 2).array() + 1.f)).matrix();
  out.col(base + 3) = n_words;
  return out;
}

}  // namespace quoteframe::scoring
