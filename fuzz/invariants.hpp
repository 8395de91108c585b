// Invariants the fuzz targets check after each input. A violation calls
// __builtin_trap() so libFuzzer records the input as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <unicode/utf16.h>

#include "quoteframe/quotes/extractor.hpp"
#include "quoteframe/text/document.hpp"
#include "quoteframe/text/utf8.hpp"

namespace quoteframe::fuzz {

inline void require(bool ok) {
  if (!ok) __builtin_trap();
}

// True when UTF-16 offset `u` falls between the halves of a surrogate pair.
inline bool splits_pair(const text::Document& d, int32_t u) {
  return u > 0 && u < d.u16.length() && U16_IS_LEAD(d.at(u - 1)) && U16_IS_TRAIL(d.at(u));
}

inline void check_document(const text::Document& d) {
  const int32_t n = d.u16.length();
  require(d.n_code_points() == static_cast<int32_t>(text::count_code_points(d.text)));
  for (int32_t u = 1; u <= n; ++u) require(d.cp(u - 1) <= d.cp(u));
  int32_t prev_end = 0;
  for (const text::Token& t : d.tokens) {
    require(0 <= t.begin && t.begin < t.end && t.end <= n && prev_end <= t.begin);
    require(!splits_pair(d, t.begin) && !splits_pair(d, t.end));
    require(t.norm_begin >= 0 && t.norm_len >= 0 &&
            static_cast<std::size_t>(t.norm_begin) + static_cast<std::size_t>(t.norm_len) <= d.norms.size());
    require(t.sentence >= 0 && (d.sentences.empty() || static_cast<std::size_t>(t.sentence) < d.sentences.size()));
    prev_end = t.end;
  }
  for (std::size_t i = 0; i < d.paragraphs.size(); ++i) {
    const text::Paragraph& p = d.paragraphs[i];
    require(0 <= p.begin && p.begin < p.end && p.end <= n);
    require(i == 0 || d.paragraphs[i - 1].end < p.begin);
  }
  for (const text::Sentence& s : d.sentences) {
    require(0 <= s.begin && s.begin <= s.end && s.end <= n);
    require(s.first_token < s.last_token && static_cast<std::size_t>(s.last_token) <= d.tokens.size());
    require(s.paragraph >= 0 && static_cast<std::size_t>(s.paragraph) < d.paragraphs.size());
  }
}

inline void check_span(int32_t b, int32_t e, int32_t n) {
  if (b < 0) require(e < 0);
  else require(b <= e && e <= n);
}

inline void check_quotes(const text::Document& d, const std::vector<quotes::Quote>& qs, std::size_t n_actors) {
  const int32_t n = d.u16.length();
  for (std::size_t i = 0; i < qs.size(); ++i) {
    const quotes::Quote& q = qs[i];
    require(0 <= q.begin && q.begin < q.end && q.end <= n);
    require(!splits_pair(d, q.begin) && !splits_pair(d, q.end));
    require(i == 0 || qs[i - 1].begin <= q.begin);
    check_span(q.cue_begin, q.cue_end, n);
    check_span(q.speaker_begin, q.speaker_end, n);
    require(q.parent < static_cast<int32_t>(i));
    if (q.parent >= 0) {
      const quotes::Quote& p = qs[static_cast<std::size_t>(q.parent)];
      require(p.begin <= q.begin && q.end <= p.end);
    }
    require(q.actor < static_cast<int32_t>(n_actors));
    require(q.paragraph >= 0 && static_cast<std::size_t>(q.paragraph) < d.paragraphs.size());
    require(q.sentence >= 0 && static_cast<std::size_t>(q.sentence) < d.sentences.size());
    require(q.confidence >= 0.f && q.confidence <= 1.f);
  }
}

}  // namespace quoteframe::fuzz
