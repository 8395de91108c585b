#include "quoteframe/stats/resampling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "quoteframe/stats/parallel.hpp"
#include "quoteframe/stats/random.hpp"

namespace quoteframe::stats {

namespace {

constexpr std::size_t kMaxReplicates = std::size_t{1} << 32;

void check_finite(const VectorRef& values, const char* fn) {
  for (Eigen::Index i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw std::invalid_argument(std::string(fn) + ": values must be finite (position " +
                                  std::to_string(i) + " is " + std::to_string(values[i]) + ")");
}

}  // namespace

double quantile_sorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

DenseLabels dense_labels(const LabelRef& labels, const char* what) {
  const auto n = static_cast<std::size_t>(labels.size());
  DenseLabels out;
  out.code.resize(n);
  if (n == 0) return out;
  const std::int64_t lo = labels.minCoeff(), hi = labels.maxCoeff();
  // Labels that are already small codes (the usual case: pandas factorize)
  // are counted in linear time; anything else is sorted.
  if (lo >= 0 && static_cast<std::uint64_t>(hi) < 2 * static_cast<std::uint64_t>(n) + 16) {
    std::vector<std::int64_t> map(static_cast<std::size_t>(hi) + 1, -1);
    for (std::size_t i = 0; i < n; ++i) map[static_cast<std::size_t>(labels[i])] = 0;
    std::int64_t next = 0;
    for (auto& m : map)
      if (m == 0) m = next++;
    out.count = static_cast<std::size_t>(next);
    for (std::size_t i = 0; i < n; ++i)
      out.code[i] = static_cast<std::uint32_t>(map[static_cast<std::size_t>(labels[i])]);
  } else {
    std::vector<std::int64_t> uniq(labels.data(), labels.data() + n);
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    out.count = uniq.size();
    for (std::size_t i = 0; i < n; ++i)
      out.code[i] = static_cast<std::uint32_t>(
          std::lower_bound(uniq.begin(), uniq.end(), labels[i]) - uniq.begin());
  }
  if (out.count >= (std::size_t{1} << 32))
    throw std::invalid_argument(std::string(what) + ": too many distinct labels");
  return out;
}

PermutationResult permutation_test(const VectorRef& values, const LabelRef& groups,
                                   std::size_t n_perm, std::uint64_t seed, unsigned n_threads) {
  if (values.size() != groups.size())
    throw std::invalid_argument("permutation_test: values and groups differ in length (" +
                                std::to_string(values.size()) + " and " +
                                std::to_string(groups.size()) + ")");
  if (n_perm == 0 || n_perm >= kMaxReplicates)
    throw std::invalid_argument("permutation_test: n_perm must be in [1, 2^32)");
  check_finite(values, "permutation_test");
  const DenseLabels g = dense_labels(groups, "permutation_test");
  if (g.count != 2)
    throw std::invalid_argument("permutation_test: groups must hold exactly 2 distinct labels, got " +
                                std::to_string(g.count));
  const std::size_t n = g.code.size();
  double sum[2] = {0, 0};
  std::size_t size[2] = {0, 0};
  double max_abs = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sum[g.code[i]] += values[static_cast<Eigen::Index>(i)];
    ++size[g.code[i]];
    max_abs = std::max(max_abs, std::abs(values[static_cast<Eigen::Index>(i)]));
  }
  const double total = sum[0] + sum[1];
  const double n0 = static_cast<double>(size[0]), n1 = static_cast<double>(size[1]);
  const double observed = sum[0] / n0 - sum[1] / n1;
  const double threshold = std::abs(observed) - 1e-9 * max_abs;
  // The smaller group is drawn; the larger is the remainder.
  const std::size_t k = std::min(size[0], size[1]);
  const bool draw_first = size[0] <= size[1];

  const unsigned workers = resolve_threads(n_threads, n_perm);
  constexpr std::size_t kBlock = 64;
  const std::size_t blocks = (n_perm + kBlock - 1) / kBlock;
  std::vector<std::vector<std::uint32_t>> order(workers);
  std::vector<std::vector<std::size_t>> swaps(workers);
  std::vector<std::size_t> extreme(blocks, 0);
  parallel_for(blocks, workers, [&](std::size_t block, unsigned w) {
    auto& idx = order[w];
    auto& undo = swaps[w];
    if (idx.empty()) {
      idx.resize(n);
      std::iota(idx.begin(), idx.end(), 0u);
      undo.resize(k);
    }
    const std::size_t end = std::min(n_perm, (block + 1) * kBlock);
    for (std::size_t t = block * kBlock; t < end; ++t) {
      Rng rng(seed, t);
      double drawn = 0;
      for (std::size_t s = 0; s < k; ++s) {
        const std::size_t j = s + static_cast<std::size_t>(rng.below(n - s));
        std::swap(idx[s], idx[j]);
        undo[s] = j;
        drawn += values[idx[s]];
      }
      // Back to the identity, so the next permutation depends on its stream only.
      for (std::size_t s = k; s-- > 0;) std::swap(idx[s], idx[undo[s]]);
      const double s0 = draw_first ? drawn : total - drawn;
      const double diff = s0 / n0 - (total - s0) / n1;
      if (std::abs(diff) >= threshold) ++extreme[block];
    }
  });
  const std::size_t count = std::accumulate(extreme.begin(), extreme.end(), std::size_t{0});
  return {observed, static_cast<double>(1 + count) / static_cast<double>(1 + n_perm)};
}

BootstrapResult bootstrap_ci(const VectorRef& values, const LabelRef& clusters,
                             std::size_t n_boot, double level, std::uint64_t seed,
                             unsigned n_threads) {
  const auto n = static_cast<std::size_t>(values.size());
  if (n == 0) throw std::invalid_argument("bootstrap_ci: values is empty");
  if (clusters.size() != 0 && clusters.size() != values.size())
    throw std::invalid_argument("bootstrap_ci: values and clusters differ in length (" +
                                std::to_string(values.size()) + " and " +
                                std::to_string(clusters.size()) + ")");
  if (n_boot == 0 || n_boot >= kMaxReplicates)
    throw std::invalid_argument("bootstrap_ci: n_boot must be in [1, 2^32)");
  if (!(level > 0.0 && level < 1.0))
    throw std::invalid_argument("bootstrap_ci: level must be in (0, 1), got " + std::to_string(level));
  check_finite(values, "bootstrap_ci");

  // Per-cluster sums and sizes.
  std::vector<double> csum, csize;
  if (clusters.size() == 0) {
    csum.assign(values.data(), values.data() + n);
    csize.assign(n, 1.0);
  } else {
    const DenseLabels c = dense_labels(clusters, "bootstrap_ci");
    csum.assign(c.count, 0.0);
    csize.assign(c.count, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      csum[c.code[i]] += values[static_cast<Eigen::Index>(i)];
      csize[c.code[i]] += 1.0;
    }
  }
  const std::size_t C = csum.size();
  const double estimate = values.sum() / static_cast<double>(n);

  std::vector<double> rep(n_boot);
  const unsigned workers = resolve_threads(n_threads, n_boot);
  std::vector<std::vector<std::uint32_t>> weights(workers);
  parallel_for(n_boot, workers, [&](std::size_t r, unsigned w) {
    auto& wt = weights[w];
    wt.assign(C, 0u);
    Rng rng(seed, r);
    for (std::size_t d = 0; d < C; ++d) ++wt[rng.below(C)];
    double s = 0, m = 0;
    for (std::size_t c = 0; c < C; ++c) {
      s += wt[c] * csum[c];
      m += wt[c] * csize[c];
    }
    rep[r] = s / m;
  });
  std::sort(rep.begin(), rep.end());
  return {estimate, quantile_sorted(rep, 0.5 * (1.0 - level)), quantile_sorted(rep, 0.5 * (1.0 + level))};
}

}  // namespace quoteframe::stats
