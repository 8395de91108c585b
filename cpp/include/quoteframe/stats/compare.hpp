// The batched group comparison behind Python's quoteframe.compare(): every
// feature (frame scores, stances, uncertainty, ...) for every group (side) in
// one pass, with article-level uncertainty.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quoteframe/stats/types.hpp"

namespace quoteframe::stats {

struct CompareOptions {
  std::size_t n_boot = 2000;  // bootstrap replicates; 0 skips them (CIs are NaN)
  std::size_t n_perm = 2000;  // permutations per pair of groups; 0 skips them (p is NaN)
  double level = 0.95;        // confidence level of the intervals, in (0, 1)
  std::uint64_t seed = 0;
  unsigned n_threads = 0;     // 0 = all hardware threads; results do not depend on it
};

struct CompareResult {
  // Per group (rows) and feature (columns).
  RowMatrix mean;        // mean over the group's quotes with a value (NaN skipped)
  RowMatrix ci_low;      // percentile cluster-bootstrap interval of the mean
  RowMatrix ci_high;
  CountMatrix n;         // quotes with a value
  LabelVector clusters;  // per group: clusters (articles) holding at least one of its quotes
  // Per pair of groups (rows; pair p compares group pairs(p, 0) with
  // pairs(p, 1), in the order (0,1), (0,2), ..., (1,2), ...) and feature.
  CountMatrix pairs;     // P x 2
  RowMatrix diff;        // mean(first) - mean(second)
  RowMatrix diff_low;    // percentile cluster-bootstrap interval of diff
  RowMatrix diff_high;
  RowMatrix p_value;     // two-sided permutation p-value, (1 + #extreme) / (1 + n_perm)
  RowMatrix cohen_d;     // diff / pooled sd
  RowMatrix cliff_delta; // P(first > second) - P(first < second)
  // Per pair: how the permutation test treated the clusters (see below).
  LabelVector whole_clusters;  // clusters with quotes of only one of the two groups
  LabelVector mixed_clusters;  // clusters with quotes of both
};

// Compares G groups of quotes on F features.
//
// x:       quotes x features, row-major; NaN = no value for that feature
//          (the quote is skipped for that feature only). Infinity is an error.
// group:   per quote, a group code in [0, n_groups).
// cluster: per quote, a cluster label (the article; any int64 values), or an
//          empty vector to treat every quote as its own cluster.
//
// Means and intervals. The mean of group g on feature f is taken over quotes.
// Its interval is a percentile cluster bootstrap: each replicate draws C
// clusters with replacement (multinomial weights w_c, from C draws of
// Rng(seed, r).below(C) for replicate r, clusters numbered in increasing
// label order) and computes sum_c w_c S_cgf / sum_c w_c N_cgf from the
// per-cluster sums S and counts N, so a replicate costs one matrix product
// (weights x cluster sums), not a pass over the quotes. Replicates in which
// a group has no value for a feature are left out of that interval. The
// interval of a difference uses the same replicates, so it respects the
// correlation between groups quoted in the same articles.
//
// Permutation tests. Quotes from one article share its outlet, author,
// event and angle, so they are not exchangeable one by one across articles.
// For each pair (g, h) the test therefore permutes only what the null
// hypothesis "the side of the speaker does not matter" makes exchangeable,
// restricted to the quotes of g and h:
//   - an article quoting only one of the two sides is moved as a whole: the
//     side labels are permuted among these articles (with every quote of an
//     article in separate articles, that is the ordinary quote-level test);
//   - in an article quoting both sides, the side labels are permuted among
//     its quotes (a test stratified by article, blind to article effects).
// When the sides never share an article this is the article-level test; when
// every article quotes both, it is the within-article test; it moves from one
// to the other smoothly in between. whole_clusters and mixed_clusters report
// the two counts. Permutation t of pair p uses Rng(seed, ((p + 1) << 32) + t):
// first the whole articles (a partial Fisher-Yates shuffle from the identity
// order, as in permutation_test, drawing min(a_g, a_h) of them), then each
// mixed article in increasing cluster order (the same, drawing the smaller
// side). A permuted difference counts as extreme when |diff_t| >= |diff| -
// 1e-9 max|x_f|, or when it is undefined (a group left without values).
//
// Effect sizes, over the quotes with a value:
//   cohen_d     = (mean_g - mean_h) / s_p, s_p^2 = ((n_g-1) s_g^2 + (n_h-1) s_h^2) / (n_g + n_h - 2)
//                 (Cohen 1988); NaN when s_p = 0.
//   cliff_delta = (#{x_g > x_h} - #{x_g < x_h}) / (n_g n_h) over all pairs
//                 (Cliff 1993), counted from sorted values in O(n log n).
//
// Threads: replicates and permutations are spread over n_threads threads in
// fixed blocks; every number depends on the seed only. The first exception
// of a worker is rethrown here.
//
// Throws std::invalid_argument for mismatched lengths, n_groups < 2, a group
// code out of range, an infinite value, level outside (0, 1), n_boot or
// n_perm >= 2^32, or 2^32 quotes or more.
CompareResult compare_groups(const MatrixRef& x, const LabelRef& group, const LabelRef& cluster,
                             Eigen::Index n_groups, const CompareOptions& options = {});

}  // namespace quoteframe::stats
