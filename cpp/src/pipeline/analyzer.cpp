#include "quoteframe/pipeline/analyzer.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "quoteframe/errors.hpp"
#include "quoteframe/text/document.hpp"

namespace quoteframe::pipeline {

Analyzer::Analyzer(std::shared_ptr<const text::LanguageRegistry> langs,
                   std::shared_ptr<const codebook::Codebook> codebook,
                   std::shared_ptr<const scoring::LexiconRegistry> lexicons)
    : langs_(std::move(langs)), codebook_(std::move(codebook)), vocab_(std::make_shared<lexicon::Vocabulary>()),
      extractor_(langs_, codebook_, vocab_), scorer_(langs_, codebook_, std::move(lexicons), vocab_) {}

namespace {

struct DocOut {
  DocRow row;
  QuoteColumns q;
  std::vector<Eigen::Triplet<float, int32_t>> trip;  // rows local to the document
  std::vector<float> n_words;
  HitColumns hits;                                   // quote = local row
};

void process_one(const Analyzer& an, text::Pipeline& pipe, lexicon::KeyMemo& memo, const DocInput& in,
                 int32_t doc_index, bool explain, DocOut& out) {
  out.row.id = in.id;
  if (!in.error.empty()) {
    out.row.status = "error";
    out.row.error = in.error;
    out.row.lang = in.lang;
    return;
  }
  if (in.text.size() > kMaxDocumentBytes) {
    out.row.status = "error";
    out.row.error = "document is larger than " + std::to_string(kMaxDocumentBytes >> 20) + " MB";
    out.row.lang = in.lang;
    return;
  }
  text::Document d;
  try {
    d = pipe.process(in.id, in.text, in.lang);
  } catch (const InputError& e) {
    out.row.status = "error";
    out.row.error = e.what();
    out.row.lang = in.lang;
    return;
  }
  out.row.lang = d.lang;
  out.row.n_chars = d.n_code_points();
  out.row.status = "ok";
  // One key pass serves the extractor and the scorer (shared vocabulary).
  lexicon::Keys keys;
  an.scorer().keys(d, keys, &memo);
  const auto quotes = an.extractor().extract(d, keys);
  out.row.n_quotes = static_cast<int64_t>(quotes.size());
  QuoteColumns& c = out.q;
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    const quotes::Quote& q = quotes[i];
    c.doc.push_back(doc_index);
    c.index_in_doc.push_back(static_cast<int32_t>(i));
    c.start.push_back(d.cp(q.begin));
    c.end.push_back(d.cp(q.end));
    c.cue_start.push_back(q.cue_begin >= 0 ? d.cp(q.cue_begin) : -1);
    c.cue_end.push_back(q.cue_end >= 0 ? d.cp(q.cue_end) : -1);
    c.speaker_start.push_back(q.speaker_begin >= 0 ? d.cp(q.speaker_begin) : -1);
    c.speaker_end.push_back(q.speaker_end >= 0 ? d.cp(q.speaker_end) : -1);
    c.parent.push_back(q.parent);
    c.paragraph.push_back(q.paragraph);
    c.sentence.push_back(q.sentence);
    c.type.push_back(static_cast<uint8_t>(q.type));
    c.attribution.push_back(static_cast<uint8_t>(q.attribution));
    c.nested.push_back(q.parent >= 0 ? 1 : 0);
    c.unclosed.push_back(q.unclosed ? 1 : 0);
    c.confidence.push_back(q.confidence);
    c.actor.push_back(q.actor);
    c.text.push_back(d.slice(q.begin, q.end));
    c.cue.push_back(q.cue_begin >= 0 ? d.slice(q.cue_begin, q.cue_end) : std::string());
    c.speaker.push_back(q.speaker);
    c.source.push_back(q.source);
  }

  // Scores: each quote's tokens, with the quotations nested in it.
  if (quotes.empty()) return;
  const scoring::Scorer& sc = an.scorer();
  std::vector<scoring::Hit> hits;
  std::vector<std::pair<int32_t, int32_t>> nested;
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    const quotes::Quote& q = quotes[i];
    auto first = std::lower_bound(d.tokens.begin(), d.tokens.end(), q.begin,
                                  [](const text::Token& t, int32_t v) { return t.begin < v; }) - d.tokens.begin();
    auto last = first;
    while (static_cast<std::size_t>(last) < d.tokens.size() && d.tokens[static_cast<std::size_t>(last)].end <= q.end) ++last;
    nested.clear();
    for (std::size_t k = i + 1; k < quotes.size() && quotes[k].begin < q.end; ++k)
      // Fragments quoted inside a quote mark someone else's wording (scare
      // quotes): not the speaker's own evaluation.
      if (quotes[k].parent == static_cast<int32_t>(i)) nested.emplace_back(quotes[k].begin, quotes[k].end);
    hits.clear();
    const int32_t nw = sc.collect(d, keys, static_cast<int32_t>(first), static_cast<int32_t>(last), nested,
                                  static_cast<int32_t>(i), out.trip, explain ? &hits : nullptr);
    out.n_words.push_back(static_cast<float>(nw));
    for (const auto& h : hits) {
      out.hits.quote.push_back(static_cast<int32_t>(i));
      out.hits.start.push_back(d.cp(d.tokens[static_cast<std::size_t>(h.first)].begin));
      out.hits.end.push_back(d.cp(d.tokens[static_cast<std::size_t>(h.last - 1)].end));
      out.hits.entry.push_back(h.entry);
      out.hits.target.push_back(h.target);
      out.hits.factor.push_back(h.factor);
      out.hits.flags.push_back(h.flags);
      out.hits.text.push_back(d.slice(d.tokens[static_cast<std::size_t>(h.first)].begin,
                                      d.tokens[static_cast<std::size_t>(h.last - 1)].end));
    }
  }
}

template <class T>
void append(std::vector<T>& a, std::vector<T>& b) {
  a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
}

}  // namespace

Batch Analyzer::analyze(const std::vector<DocInput>& docs, int threads, bool explain) const {
  const std::size_t n = docs.size();
  std::vector<DocOut> outs(n);
  int nt = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nt = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(nt), std::max<std::size_t>(n, 1)));
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&]() {
    try {
      text::Pipeline pipe(langs_);  // ICU iterators and the memo of forms are per thread
      lexicon::KeyMemo memo;
      for (std::size_t i = next++; i < n; i = next++) {
        process_one(*this, pipe, memo, docs[i], static_cast<int32_t>(i), explain, outs[i]);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = n;  // stop the others early
    }
  };
  if (nt <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < nt; ++t) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
  }
  if (failure) std::rethrow_exception(failure);

  Batch b;
  b.documents.reserve(n);
  std::vector<Eigen::Triplet<float, int32_t>> trip;
  std::vector<float> n_words;
  for (auto& o : outs) {
    // Shift each document's rows to their place in the batch.
    const auto offset = static_cast<int32_t>(b.quotes.size());
    for (const auto& t : o.trip) trip.emplace_back(t.row() + offset, t.col(), t.value());
    n_words.insert(n_words.end(), o.n_words.begin(), o.n_words.end());
    for (auto& qi : o.hits.quote) qi += offset;
    auto& H = b.hits;
    append(H.quote, o.hits.quote); append(H.start, o.hits.start); append(H.end, o.hits.end);
    append(H.entry, o.hits.entry); append(H.target, o.hits.target); append(H.factor, o.hits.factor);
    append(H.flags, o.hits.flags); append(H.text, o.hits.text);
    b.documents.push_back(std::move(o.row));
    QuoteColumns& c = o.q;
    auto& B = b.quotes;
    append(B.doc, c.doc); append(B.index_in_doc, c.index_in_doc); append(B.start, c.start); append(B.end, c.end);
    append(B.cue_start, c.cue_start); append(B.cue_end, c.cue_end); append(B.speaker_start, c.speaker_start);
    append(B.speaker_end, c.speaker_end); append(B.parent, c.parent); append(B.paragraph, c.paragraph);
    append(B.sentence, c.sentence); append(B.type, c.type); append(B.attribution, c.attribution);
    append(B.nested, c.nested); append(B.unclosed, c.unclosed); append(B.confidence, c.confidence);
    append(B.actor, c.actor); append(B.text, c.text); append(B.cue, c.cue); append(B.speaker, c.speaker);
    append(B.source, c.source);
  }
  // One sparse product for the whole batch.
  const scoring::SparseRows m = scorer_.matrix(b.quotes.size(), trip);
  b.features = scorer_.features(m, Eigen::Map<const Eigen::VectorXf>(n_words.data(), static_cast<Eigen::Index>(n_words.size())));
  return b;
}

}  // namespace quoteframe::pipeline
