// Permutation tests and bootstrap confidence intervals.
//
// Every routine here draws its random numbers from Rng(seed, stream) (see
// random.hpp) with one stream per replicate, and spreads replicates over
// `n_threads` threads (0 = all hardware threads). Results depend on the seed
// only: never on the thread count, never on the platform's standard library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quoteframe/stats/types.hpp"

namespace quoteframe::stats {

struct PermutationResult {
  double statistic;  // observed mean(first group) - mean(second group)
  double p_value;    // two-sided, in (0, 1]
};

// Two-sample permutation test for a difference of means.
//
// values: one number per observation (no NaN).
// groups: one label per observation; exactly two distinct labels. The group
//         with the smaller label is the "first" group.
// n_perm: number of random relabellings (>= 1).
// Permutation t (t = 0 .. n_perm-1) uses Rng(seed, t): it starts from the
// identity order and runs a partial Fisher-Yates shuffle that moves
// k = min(n_1, n_2) observations to the front (position s swaps with
// s + below(n - s)); the front k are the smaller group.
//   p = (1 + #{t : |diff_t| >= |observed|}) / (1 + n_perm)
// (Phipson & Smyth 2010, "Permutation p-values should never be zero", Stat.
// Appl. Genet. Mol. Biol. 9(1)). Differences within 1e-9 * max|value| of the
// observed one count as ties (>=), so rounding cannot hide an exact tie.
//
// Throws std::invalid_argument when lengths differ, when there are not exactly
// two labels, when a value is not finite, or when n_perm is 0 or >= 2^32.
PermutationResult permutation_test(const VectorRef& values, const LabelRef& groups,
                                   std::size_t n_perm, std::uint64_t seed,
                                   unsigned n_threads = 0);

struct BootstrapResult {
  double estimate;  // the mean of all values
  double low;       // percentile interval bounds
  double high;
};

// Percentile bootstrap confidence interval for a mean, resampling whole
// clusters when clusters are given (Efron & Tibshirani 1993, ch. 13; for the
// cluster bootstrap: Davison & Hinkley 1997, section 3.8).
//
// values:   one number per observation (no NaN).
// clusters: one label per observation (for example the article a quote came
//           from), or an empty vector to make each observation its own
//           cluster. Clusters are numbered 0..C-1 in increasing label order.
// Replicate r (r = 0 .. n_boot-1) uses Rng(seed, r): C draws of below(C) give
// multinomial cluster weights w_c, and the replicate mean is
//   sum_c w_c S_c / sum_c w_c N_c   (S_c, N_c: sum and size of cluster c).
// low/high are the (1 - level)/2 and (1 + level)/2 quantiles of the replicate
// means, interpolated linearly between order statistics (numpy's default
// "linear" method, Hyndman & Fan type 7).
//
// Throws std::invalid_argument when lengths differ, values is empty or holds
// a non-finite number, n_boot is 0 or >= 2^32, or level is not in (0, 1).
BootstrapResult bootstrap_ci(const VectorRef& values, const LabelRef& clusters,
                             std::size_t n_boot, double level, std::uint64_t seed,
                             unsigned n_threads = 0);

// The p-quantile (0 <= p <= 1) of ascending `sorted`, Hyndman & Fan type 7:
// h = (n - 1) p, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
// NaN for an empty vector.
double quantile_sorted(const std::vector<double>& sorted, double p);

// Labels renumbered 0..K-1 in increasing label order.
struct DenseLabels {
  std::vector<std::uint32_t> code;  // one per input label
  std::size_t count = 0;            // K
};
// Throws std::invalid_argument (naming `what`) when there are >= 2^32 labels.
DenseLabels dense_labels(const LabelRef& labels, const char* what);

}  // namespace quoteframe::stats
