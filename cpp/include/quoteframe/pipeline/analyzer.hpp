// The whole chain for a batch of documents: text layer, quote extraction and
// attribution (scoring joins here as it lands), run on C++ threads.
//
// Results are in input order whatever the thread count. A document that
// cannot be processed (invalid UTF-8, over the size limit) yields an error
// row in `documents`, never a dropped document; any other failure inside a
// worker is rethrown on the calling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/quotes/extractor.hpp"
#include "quoteframe/scoring/scorer.hpp"
#include "quoteframe/text/language.hpp"

namespace quoteframe::pipeline {

struct DocInput {
  DocInput() = default;
  DocInput(std::string id_, std::string text_, std::string lang_ = "", std::string error_ = "")
      : id(std::move(id_)), text(std::move(text_)), lang(std::move(lang_)), error(std::move(error_)) {}
  std::string id;
  std::string text;   // UTF-8 (validated here)
  std::string lang;   // "" = detect
  std::string error;  // set by a caller that could not read the document: it becomes an error row
};

struct DocRow {
  std::string id, lang, status, error;  // status: "ok" or "error"
  int64_t n_chars = 0;
  int64_t n_quotes = 0;
};

// Quote columns, one entry per quote (struct of arrays: cheap to hand to numpy).
struct QuoteColumns {
  std::vector<int32_t> doc;  // index into the batch's documents
  std::vector<int32_t> index_in_doc, start, end, cue_start, cue_end, speaker_start, speaker_end;
  std::vector<int32_t> parent, paragraph, sentence;
  std::vector<uint8_t> type, attribution, nested, unclosed;
  std::vector<float> confidence;
  std::vector<int32_t> actor;
  std::vector<std::string> text, cue, speaker, source;
  std::size_t size() const noexcept { return start.size(); }
};

// Every matched lexicon entry of every quote, when explanations are asked for.
struct HitColumns {
  std::vector<int32_t> quote;            // row in QuoteColumns
  std::vector<int32_t> start, end;       // code points in the document
  std::vector<int32_t> entry, target;    // Scorer::entries() index; target index or -1
  std::vector<float> factor;
  std::vector<uint16_t> flags;
  std::vector<std::string> text;         // the matched words as written
};

struct Batch {
  std::vector<DocRow> documents;
  QuoteColumns quotes;
  scoring::DenseRows features;  // quotes x Scorer::feature_names()
  HitColumns hits;              // filled only when asked
};

// Documents larger than this are error rows (a guard, not a tuning knob).
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{256} << 20;

class Analyzer {
 public:
  Analyzer(std::shared_ptr<const text::LanguageRegistry> langs,
           std::shared_ptr<const codebook::Codebook> codebook,
           std::shared_ptr<const scoring::LexiconRegistry> lexicons);

  // Processes `docs` on `threads` threads (0 = all cores), scores every
  // quote in one batched sparse product, and (with `explain`) lists every
  // matched entry. Thread-safe.
  Batch analyze(const std::vector<DocInput>& docs, int threads = 1, bool explain = false) const;

  const scoring::Scorer& scorer() const noexcept { return scorer_; }

  const quotes::Extractor& extractor() const noexcept { return extractor_; }
  std::shared_ptr<const text::LanguageRegistry> languages() const noexcept { return langs_; }
  const codebook::Codebook& codebook() const noexcept { return *codebook_; }

 private:
  std::shared_ptr<const text::LanguageRegistry> langs_;
  std::shared_ptr<const codebook::Codebook> codebook_;
  std::shared_ptr<lexicon::Vocabulary> vocab_;  // shared: one key pass per document
  quotes::Extractor extractor_;
  scoring::Scorer scorer_;
};

}  // namespace quoteframe::pipeline
