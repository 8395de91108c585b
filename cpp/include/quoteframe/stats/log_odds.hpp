// Keyness: which words one group uses more than the others, with shrinkage
// so that rare words do not top the list.
#pragma once

#include "quoteframe/stats/types.hpp"

namespace quoteframe::stats {

struct LogOddsResult {
  RowMatrix delta;  // groups x terms: log-odds ratio, group vs the rest
  RowMatrix z;      // groups x terms: delta / sqrt(variance)
};

// Log-odds ratio with an informative Dirichlet prior, each group against the
// pooled rest of the groups (Monroe, Colaresi & Quinn 2008, "Fightin' Words:
// Lexical Feature Selection and Evaluation for Identifying the Content of
// Political Conflict", Political Analysis 16(4), section 3.5, eqs. 16, 18-20).
//
// counts: groups x terms, y_gw >= 0 (word counts, may be fractional).
// prior:  one pseudo-count alpha_w > 0 per term; alpha_0 = sum_w alpha_w.
//         A flat prior (e.g. 0.01 everywhere) or background frequencies
//         scaled to a chosen total are the usual choices.
// For group i, with y_w = y_iw, n = sum_w y_iw, and y'_w, n' the same sums
// over all other groups:
//   delta_w = log((y_w + a_w) / (n + a_0 - y_w - a_w))
//           - log((y'_w + a_w) / (n' + a_0 - y'_w - a_w)),
//   var(delta_w) ~= 1 / (y_w + a_w) + 1 / (y'_w + a_w),
//   z_w = delta_w / sqrt(var(delta_w)).
// Positive z: the group uses the word more than the rest.
//
// Throws std::invalid_argument when there are fewer than 2 groups or 2 terms,
// when prior.size() != number of terms, when a count is negative or not
// finite, or when a prior pseudo-count is not finite and > 0.
LogOddsResult log_odds_z(const MatrixRef& counts, const VectorRef& prior);

}  // namespace quoteframe::stats
