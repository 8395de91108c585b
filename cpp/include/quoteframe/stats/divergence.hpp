// Distances between distributions (for example, two sides' frame profiles).
#pragma once

#include "quoteframe/stats/types.hpp"

namespace quoteframe::stats {

// Jensen-Shannon divergence in bits (Lin 1991, "Divergence measures based on
// the Shannon entropy", IEEE Trans. Inf. Theory 37(1)):
//   JS(P, Q) = 1/2 KL(P || M) + 1/2 KL(Q || M),  M = (P + Q) / 2,
//   KL(P || M) = sum_i p_i log2(p_i / m_i), with 0 log 0 = 0.
// p and q are non-negative weights (counts or scores); each is divided by its
// sum first. The result lies in [0, 1]: 0 for identical profiles, 1 for
// profiles with disjoint support. (Its square root is a metric.)
//
// Throws std::invalid_argument when the lengths differ or are 0, when a
// weight is negative or not finite, or when a vector sums to 0.
double jensen_shannon(const VectorRef& p, const VectorRef& q);

}  // namespace quoteframe::stats
