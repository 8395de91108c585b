// Corrections for running many tests at once (groups x features in compare()).
#pragma once

#include "quoteframe/stats/types.hpp"

namespace quoteframe::stats {

// Benjamini-Hochberg adjusted p-values (the false discovery rate "q-values"
// of the step-up procedure; Benjamini & Hochberg 1995, J. R. Stat. Soc. B
// 57(1)). With the m p-values sorted ascending, p_(1) <= ... <= p_(m):
//   q_(i) = min(1, min_{j >= i} m p_(j) / j),
// returned in the original order. Rejecting every q <= Q controls the FDR at
// level Q. Ties get the same q; q is monotone in p.
//
// NaN entries stay NaN and do not count in m (a test that could not be run).
// Throws std::invalid_argument when a p-value lies outside [0, 1].
Vector benjamini_hochberg(const VectorRef& p);

}  // namespace quoteframe::stats
