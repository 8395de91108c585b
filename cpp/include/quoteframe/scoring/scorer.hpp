// Explainable stance and framing features per quote, computed as linear
// algebra: a sparse quotes x slots matrix M (one slot per lexicon entry and
// context: plain, or evaluation toward target t, asserted or negated) times a
// sparse slots x features weight matrix W, batched over many quotes.
//
//   raw = M * W_signed,   magnitude = M * |W_signed|      (M >= 0 elementwise)
//
// then, per quote (n = its word count, floored at 10 so short quotes are not
// inflated):
//   frame_<f>     = 10 * raw[frame f] / n          weighted hits per 10 words, >= 0
//   stance_<t>    = raw[t] / (magnitude[t] + 1)     in (-1, 1): balance and amount
//   stance_<t>_label = sign(stance_<t>) if |stance_<t>| >= 0.2, else 0
//   uncertainty   = 10 * hedges / n,   distancing = 10 * distancing markers / n
//   valence       = raw[all evaluations] / (magnitude + 1)
//
// Context, per evaluative word: negated (a negator at most 3 words before,
// same clause) flips its sign, and so does a polarity shifter at most 8 words
// before in the same sentence ("arrêter l'effusion de sang", "questions sur la légalité";
// a negated shifted word is flipped once); an intensifier right before multiplies by 1.5,
// a diminisher by 0.5; before a contrast marker in the same sentence it counts
// half; inside a distancing scope (soi-disant, ce qu'il a appelé, scare quotes)
// or an attributed/counterfactual scope (prétendre que, would pretend) it is
// not the speaker's evaluation: it adds to `distancing` and not to stance.
// A directive ("appeler X à", "urge X to", "призываем X", "ندعو X إلى": the
// lexicon's `directives`) presupposes that its addressee falls short: the rest
// of its sentence is its scope, where evaluations are flipped (like a shifter's;
// a shifter inside cancels it: "urge X to stop the violence" blames X) and go to
// the addressee -- the first target mention between the verb and its particle,
// or within 4 words after the verb -- and the directive itself counts as a mild
// negative evaluation of that addressee.
// An attributed scope that reaches the end of its sentence goes on over the next
// sentence when that one opens with a coordinated complementiser ("Et que …",
// "وأن …": the lexicon's `continuations`), which continues the same reported claim.
// A lexicon or directive pattern may hold a gap, "head … tail": up to 3 words
// (evaluations; no punctuation in between: "accompli* … mission*" matches
// "accompli leur mission") or, for directives, the addressee: up to 20 tokens
// with no sentence stop, quote mark, parenthesis or colon in between.
// Its target is the nearest target mention within 4 words in the same
// sentence, else the codebook's default (implicit) target -- except for words
// that describe the situation (violence, victims: the lexicon's `situational`
// list), which count toward a target only next to a mention. Never the speaker
// or side. (A farther mention in the same sentence is no better a guess: it is
// often the subject doing the evaluating, "les États-Unis avaient des questions
// sur la légalité de …"; measured on the case corpus, it costs 5 csto labels.)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/lexicon/phrases.hpp"
#include "quoteframe/scoring/lexicon.hpp"
#include "quoteframe/text/document.hpp"
#include "quoteframe/text/language.hpp"

namespace quoteframe::scoring {

using SparseRows = Eigen::SparseMatrix<float, Eigen::RowMajor, int32_t>;
using DenseRows = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class EntryKind : uint8_t {
  Frame, Target, Positive, Negative, Negator, Intensifier, Diminisher, Hedge, Distancing, Contrast,
  Counterfactual, Shifter, Directive, Continuation
};
const char* entry_kind_name(EntryKind k);

struct Entry {
  EntryKind kind;
  int32_t ref = -1;     // frame or target index for Frame/Target entries
  float weight = 1.f;   // frame/target weight, or polarity strength
  std::string lang;
  std::string pattern;  // as written
  bool situational = false;  // describes the situation: no implicit target
  bool gapped = false;       // "head … tail": the head is in a trie, the tail in Layers::tails
};

enum HitFlag : uint16_t {
  kNegated = 1, kIntensified = 2, kDiminished = 4, kDistanced = 8, kAttributed = 16, kBeforeContrast = 32,
  kScareQuote = 64, kShifted = 128, kDirected = 256
};

// One matched entry in a quote, for explain().
struct Hit {
  int32_t first = 0, last = 0;  // token range in the document
  int32_t entry = -1;           // index into Scorer::entries(), or -1 for a scare-quote marker
  int32_t target = -1;          // evaluations: the target it is about (-1: none)
  float factor = 0.f;           // signed multiplier applied to the entry's weight
  uint16_t flags = 0;
};

class Scorer {
 public:
  // Compiles the codebook's frames, targets and lexicon additions and each
  // language's general lexicon. Throws ConfigError on a pattern that does
  // not tokenise to anything.
  // `vocab`, when given, is shared with other matchers (see Extractor).
  Scorer(std::shared_ptr<const text::LanguageRegistry> langs, std::shared_ptr<const codebook::Codebook> codebook,
         std::shared_ptr<const LexiconRegistry> lexicons, std::shared_ptr<lexicon::Vocabulary> vocab = nullptr);
  ~Scorer();
  Scorer(const Scorer&) = delete;
  Scorer& operator=(const Scorer&) = delete;

  // Adds the slots of quote `row` (tokens [first, last) of `doc`) to `trip`
  // and returns its word count. `nested` are UTF-16 spans of quotations inside
  // it (scare quotes). When `hits` is given, every match is appended.
  // Thread-safe.
  // Keys of `doc` for this scorer's vocabulary (once per document).
  void keys(const text::Document& doc, lexicon::Keys& out, lexicon::KeyMemo* memo = nullptr) const;

  int32_t collect(const text::Document& doc, const lexicon::Keys& keys, int32_t first, int32_t last,
                  const std::vector<std::pair<int32_t, int32_t>>& nested, int32_t row,
                  std::vector<Eigen::Triplet<float, int32_t>>& trip, std::vector<Hit>* hits) const;

  // Every target mention in the whole document (frames and targets are one
  // layer, leftmost-longest, as in collect()); entry = the matched Entry.
  std::vector<Hit> target_mentions(const text::Document& doc, const lexicon::Keys& keys) const;

  // Final features (rows = quotes, columns = feature_names()).
  DenseRows features(const SparseRows& m, const Eigen::VectorXf& n_words) const;

  // Builds M for `rows` quotes from triplets.
  SparseRows matrix(std::size_t rows, const std::vector<Eigen::Triplet<float, int32_t>>& trip) const;

  const std::vector<std::string>& feature_names() const noexcept { return names_; }
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  int32_t n_slots() const noexcept { return static_cast<int32_t>(n_slots_); }
  // Raw-feature index of a slot's contributions (for explain).
  const SparseRows& weights() const noexcept { return w_; }
  const std::vector<std::string>& raw_names() const noexcept { return raw_names_; }

  struct Layers;

 private:
  int32_t slot_plain(int32_t e) const { return e; }
  int32_t slot_eval(int32_t e, int32_t target, bool negated) const;

  std::shared_ptr<const text::LanguageRegistry> langs_;
  std::shared_ptr<const codebook::Codebook> codebook_;
  std::shared_ptr<const LexiconRegistry> lexicons_;
  std::shared_ptr<lexicon::Vocabulary> vocab_;
  std::vector<std::unique_ptr<Layers>> layers_;  // per language
  std::vector<std::string> layer_codes_;
  std::vector<Entry> entries_;
  std::size_t n_targets_ = 0, n_frames_ = 0, n_slots_ = 0;
  int32_t default_target_ = -1;
  int32_t scare_entry_ = -1;       // synthetic entry: a quoted fragment inside the quote
  int32_t distanced_eval_ = -1;    // synthetic entry: an evaluation not the speaker's
  SparseRows w_;                   // slots x raw features (signed)
  SparseRows w_abs_;               // |w_|
  std::vector<std::string> raw_names_, names_;
  const Layers* layers_for(const std::string& code) const;
};

}  // namespace quoteframe::scoring
