#include "quoteframe/stats/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "quoteframe/stats/parallel.hpp"
#include "quoteframe/stats/random.hpp"
#include "quoteframe/stats/resampling.hpp"

namespace quoteframe::stats {

namespace {

using Index = Eigen::Index;
using RowVector = Eigen::RowVectorXd;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMax32 = std::size_t{1} << 32;

// Quotes listed cluster by cluster (ascending quote index within a cluster).
struct ClusterIndex {
  std::size_t count = 0;
  std::vector<std::uint32_t> quotes;
  std::vector<std::size_t> start;  // count + 1 offsets into quotes
};

ClusterIndex index_clusters(const LabelRef& cluster, std::size_t n) {
  ClusterIndex ci;
  ci.quotes.resize(n);
  if (cluster.size() == 0) {
    ci.count = n;
    std::iota(ci.quotes.begin(), ci.quotes.end(), 0u);
    ci.start.resize(n + 1);
    std::iota(ci.start.begin(), ci.start.end(), std::size_t{0});
    return ci;
  }
  const DenseLabels d = dense_labels(cluster, "compare_groups");
  ci.count = d.count;
  ci.start.assign(d.count + 1, 0);
  for (std::uint32_t c : d.code) ++ci.start[c + 1];
  std::partial_sum(ci.start.begin(), ci.start.end(), ci.start.begin());
  std::vector<std::size_t> fill(ci.start.begin(), ci.start.end() - 1);
  for (std::size_t q = 0; q < n; ++q) ci.quotes[fill[d.code[q]]++] = static_cast<std::uint32_t>(q);
  return ci;
}

// The column layout of per-cluster sums: F value sums, the number of quotes,
// then the number of present values of each feature that has missing values
// (only those: most features are complete, and their count is the quote count).
struct Layout {
  Index F = 0;
  std::vector<Index> gap_slot;  // per feature: position among the gappy features, or -1
  Index M = 0;                  // number of gappy features
  Index width() const { return F + 1 + M; }
  Index count_col(Index f) const {
    const Index slot = gap_slot[static_cast<std::size_t>(f)];
    return slot < 0 ? F : F + 1 + slot;
  }
};

// The clusters holding quotes of one group, with that group's sums in each.
struct GroupClusters {
  std::vector<std::uint32_t> cluster;  // ascending
  RowMatrix sums;                      // cluster.size() x layout.width()
};

std::vector<GroupClusters> cluster_sums(const MatrixRef& x, const std::vector<std::uint32_t>& group,
                                        Index G, const ClusterIndex& ci, const Layout& lay) {
  const Index K = lay.width(), F = lay.F;
  std::vector<std::vector<double>> buf(static_cast<std::size_t>(G));
  std::vector<GroupClusters> out(static_cast<std::size_t>(G));
  RowMatrix tmp = RowMatrix::Zero(G, K);
  std::vector<char> touched(static_cast<std::size_t>(G), 0);
  std::vector<std::uint32_t> present;
  for (std::size_t c = 0; c < ci.count; ++c) {
    present.clear();
    for (std::size_t t = ci.start[c]; t < ci.start[c + 1]; ++t) {
      const std::uint32_t q = ci.quotes[t];
      const std::uint32_t g = group[q];
      if (!touched[g]) {
        touched[g] = 1;
        present.push_back(g);
      }
      for (Index f = 0; f < F; ++f) {
        const double v = x(q, f);
        if (std::isnan(v)) continue;
        tmp(g, f) += v;
        const Index slot = lay.gap_slot[static_cast<std::size_t>(f)];
        if (slot >= 0) tmp(g, F + 1 + slot) += 1.0;
      }
      tmp(g, F) += 1.0;
    }
    for (std::uint32_t g : present) {
      buf[g].insert(buf[g].end(), tmp.row(g).data(), tmp.row(g).data() + K);
      out[g].cluster.push_back(static_cast<std::uint32_t>(c));
      tmp.row(g).setZero();
      touched[g] = 0;
    }
  }
  for (Index g = 0; g < G; ++g) {
    auto& gc = out[static_cast<std::size_t>(g)];
    gc.sums = Eigen::Map<const RowMatrix>(buf[static_cast<std::size_t>(g)].data(),
                                          static_cast<Index>(gc.cluster.size()), K);
  }
  return out;
}

// Replicate means of every group and feature: rep[(r * G + g) * F + f].
std::vector<double> bootstrap_means(const std::vector<GroupClusters>& gcs, std::size_t C,
                                    const Layout& lay, const CompareOptions& opt) {
  const Index G = static_cast<Index>(gcs.size()), F = lay.F;
  std::vector<double> rep(opt.n_boot * static_cast<std::size_t>(G * F), kNaN);
  if (opt.n_boot == 0 || C == 0) return rep;
  // Fixed block shapes (they depend on C only), so the matrix products, and
  // with them the rounding, are the same whatever the thread count.
  const std::size_t per_block = std::clamp<std::size_t>((std::size_t{1} << 21) / C, 1, 32);
  const std::size_t blocks = (opt.n_boot + per_block - 1) / per_block;
  const unsigned workers = resolve_threads(opt.n_threads, blocks);
  struct Scratch {
    RowMatrix w, wg, prod;
  };
  std::vector<Scratch> scratch(workers);
  parallel_for(blocks, workers, [&](std::size_t block, unsigned worker) {
    Scratch& s = scratch[worker];
    const std::size_t r0 = block * per_block;
    const Index rows = static_cast<Index>(std::min(per_block, opt.n_boot - r0));
    s.w.setZero(rows, static_cast<Index>(C));
    for (Index rr = 0; rr < rows; ++rr) {
      Rng rng(opt.seed, r0 + static_cast<std::size_t>(rr));
      double* row = s.w.row(rr).data();
      for (std::size_t d = 0; d < C; ++d) row[rng.below(C)] += 1.0;
    }
    for (Index g = 0; g < G; ++g) {
      const GroupClusters& gc = gcs[static_cast<std::size_t>(g)];
      if (gc.cluster.empty()) continue;
      if (gc.cluster.size() == C) {
        s.prod.noalias() = s.w * gc.sums;
      } else {
        const Index cg = static_cast<Index>(gc.cluster.size());
        s.wg.resize(rows, cg);
        for (Index rr = 0; rr < rows; ++rr)
          for (Index t = 0; t < cg; ++t) s.wg(rr, t) = s.w(rr, gc.cluster[static_cast<std::size_t>(t)]);
        s.prod.noalias() = s.wg * gc.sums;
      }
      for (Index rr = 0; rr < rows; ++rr)
        for (Index f = 0; f < F; ++f) {
          const double cnt = s.prod(rr, lay.count_col(f));
          rep[((r0 + static_cast<std::size_t>(rr)) * static_cast<std::size_t>(G) +
               static_cast<std::size_t>(g)) * static_cast<std::size_t>(F) + static_cast<std::size_t>(f)] =
              cnt > 0 ? s.prod(rr, f) / cnt : kNaN;
        }
    }
  });
  return rep;
}

// Width of the per-quote rows of mixed clusters: F values and M presence
// flags, padded with zero columns to a multiple of 8 so that the hot loop
// runs only full 8-column passes.
Index mixed_width(const Layout& lay) { return (lay.F + lay.M + 7) / 8 * 8; }

// Everything one permutation of one pair needs, prepared once.
struct PairPlan {
  // Clusters with quotes of only one of the two groups, moved as wholes.
  RowMatrix whole;  // rows of cluster sums (layout width)
  RowVector whole_total;
  std::size_t whole_draw = 0;  // min(a_g, a_h) clusters are drawn
  bool whole_draws_g = true;   // ... and they become g's
  // Clusters with quotes of both groups: one row per quote, cluster by
  // cluster: F values (NaN -> 0), then 1 for each gappy feature present,
  // then zero padding (mixed_width).
  RowMatrix xm;
  std::vector<std::size_t> m_start;
  std::vector<std::size_t> m_draw;  // the smaller side's size in each cluster
  std::vector<char> m_draws_g;
  RowVector h_drawn_total;    // mixed_width: totals of the clusters where h is drawn
  double g_mixed_count = 0;   // g's quotes in mixed clusters (fixed)
};

PairPlan plan_pair(const MatrixRef& x, const std::vector<std::uint32_t>& group, const ClusterIndex& ci,
                   const GroupClusters& gg, const GroupClusters& gh, std::uint32_t g, std::uint32_t h,
                   const Layout& lay) {
  const Index K = lay.width(), F = lay.F, W = mixed_width(lay);
  PairPlan plan;
  std::vector<const double*> whole_rows;
  std::size_t a_g = 0, a_h = 0;
  std::vector<std::uint32_t> mixed;
  std::size_t ig = 0, ih = 0;
  while (ig < gg.cluster.size() || ih < gh.cluster.size()) {
    const std::uint32_t cg = ig < gg.cluster.size() ? gg.cluster[ig] : UINT32_MAX;
    const std::uint32_t ch = ih < gh.cluster.size() ? gh.cluster[ih] : UINT32_MAX;
    if (cg < ch) {
      whole_rows.push_back(gg.sums.row(static_cast<Index>(ig++)).data());
      ++a_g;
    } else if (ch < cg) {
      whole_rows.push_back(gh.sums.row(static_cast<Index>(ih++)).data());
      ++a_h;
    } else {
      mixed.push_back(cg);
      ++ig;
      ++ih;
    }
  }
  // whole_rows is in cluster order: the identity order of the shuffle.
  plan.whole.resize(static_cast<Index>(whole_rows.size()), K);
  for (std::size_t r = 0; r < whole_rows.size(); ++r)
    plan.whole.row(static_cast<Index>(r)) = Eigen::Map<const RowVector>(whole_rows[r], K);
  plan.whole_total = RowVector::Zero(K);
  if (plan.whole.rows() > 0) plan.whole_total = plan.whole.colwise().sum();
  plan.whole_draws_g = a_g <= a_h;
  plan.whole_draw = std::min(a_g, a_h);

  std::size_t n_m = 0;
  for (std::uint32_t c : mixed) n_m += ci.start[c + 1] - ci.start[c];  // an upper bound
  plan.xm.setZero(static_cast<Index>(n_m), W);
  plan.h_drawn_total = RowVector::Zero(W);
  plan.m_start.push_back(0);
  Index row = 0;
  for (std::uint32_t c : mixed) {
    const Index first = row;
    std::size_t kg = 0, kh = 0;
    for (std::size_t t = ci.start[c]; t < ci.start[c + 1]; ++t) {
      const std::uint32_t q = ci.quotes[t];
      if (group[q] != g && group[q] != h) continue;
      (group[q] == g ? kg : kh) += 1;
      for (Index f = 0; f < F; ++f) {
        const double v = x(q, f);
        const bool present = !std::isnan(v);
        plan.xm(row, f) = present ? v : 0.0;
        const Index slot = lay.gap_slot[static_cast<std::size_t>(f)];
        if (slot >= 0) plan.xm(row, F + slot) = present ? 1.0 : 0.0;
      }
      ++row;
    }
    plan.m_start.push_back(static_cast<std::size_t>(row));
    plan.m_draws_g.push_back(kg <= kh);
    plan.m_draw.push_back(std::min(kg, kh));
    plan.g_mixed_count += static_cast<double>(kg);
    if (kg > kh) {
      // h is drawn here; g gets this cluster's total minus the drawn part.
      plan.h_drawn_total += plan.xm.middleRows(first, row - first).colwise().sum();
    }
  }
  plan.xm.conservativeResize(row, W);
  return plan;
}

// acc[0..w) += row[0..w), for the few whole-cluster rows.
inline void add_row(double* __restrict acc, const double* __restrict row, Index w) {
  for (Index i = 0; i < w; ++i) acc[i] += row[i];
}

// acc[c0..c0+L) += sum over t < k of rows[pick[t]][c0..c0+L), for a fixed
// L, with two sets of partial sums (even and odd t) so that consecutive
// adds do not wait on each other; the sets are combined at the end.
template <int L>
inline void add_picked_columns(double* __restrict acc, const double* __restrict rows,
                               const std::uint32_t* __restrict pick, std::size_t k, std::size_t stride,
                               Index c0) {
  double even[L], odd[L];
  for (int i = 0; i < L; ++i) {
    even[i] = 0.0;
    odd[i] = 0.0;
  }
  std::size_t t = 0;
  for (; t + 2 <= k; t += 2) {
    const double* r0 = rows + stride * pick[t] + c0;
    const double* r1 = rows + stride * pick[t + 1] + c0;
    for (int i = 0; i < L; ++i) {
      even[i] += r0[i];
      odd[i] += r1[i];
    }
  }
  if (t < k) {
    const double* r0 = rows + stride * pick[t] + c0;
    for (int i = 0; i < L; ++i) even[i] += r0[i];
  }
  for (int i = 0; i < L; ++i) acc[c0 + i] += even[i] + odd[i];
}

#if defined(__GNUC__) || defined(__clang__)
// The same for 8 columns with GCC/Clang vector types (two doubles per
// lane, the SSE2 / NEON baseline). Lane-wise adds in the same order as
// the scalar template, so the sums are bit-for-bit the same.
typedef double Double2 __attribute__((vector_size(16)));

template <>
inline void add_picked_columns<8>(double* __restrict acc, const double* __restrict rows,
                                  const std::uint32_t* __restrict pick, std::size_t k, std::size_t stride,
                                  Index c0) {
  auto load = [](const double* p) {
    Double2 v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  Double2 e0 = {0, 0}, e1 = e0, e2 = e0, e3 = e0, o0 = e0, o1 = e0, o2 = e0, o3 = e0;
  std::size_t t = 0;
  for (; t + 2 <= k; t += 2) {
    const double* r0 = rows + stride * pick[t] + c0;
    const double* r1 = rows + stride * pick[t + 1] + c0;
    e0 += load(r0);
    e1 += load(r0 + 2);
    e2 += load(r0 + 4);
    e3 += load(r0 + 6);
    o0 += load(r1);
    o1 += load(r1 + 2);
    o2 += load(r1 + 4);
    o3 += load(r1 + 6);
  }
  if (t < k) {
    const double* r0 = rows + stride * pick[t] + c0;
    e0 += load(r0);
    e1 += load(r0 + 2);
    e2 += load(r0 + 4);
    e3 += load(r0 + 6);
  }
  const Double2 sum[4] = {e0 + o0, e1 + o1, e2 + o2, e3 + o3};
  for (int i = 0; i < 4; ++i) {
    acc[c0 + 2 * i] += sum[i][0];
    acc[c0 + 2 * i + 1] += sum[i][1];
  }
}
#endif

// Counts, per feature, the permutations at least as extreme as observed.
//
// Memory, not arithmetic, limits this loop: one permutation reads about
// half the rows of every mixed cluster, i.e. streams the whole quote matrix.
// So permutations run in blocks of kPermBlock, cluster by cluster: each
// cluster's rows are loaded once per block and stay in cache while every
// permutation of the block draws from them. Each permutation keeps its own
// generator and consumes it in the documented order (whole clusters first,
// then mixed clusters in increasing order), so the blocking changes nothing
// in the results.
std::vector<std::size_t> permute_pair(const PairPlan& plan, const Layout& lay, const RowVector& total,
                                      const RowVector& threshold, std::size_t pair,
                                      const CompareOptions& opt) {
  const Index K = lay.width(), F = lay.F, M = lay.M, W = mixed_width(lay);
  constexpr std::size_t kPermBlock = 32;
  const std::size_t blocks = (opt.n_perm + kPermBlock - 1) / kPermBlock;
  const unsigned workers = resolve_threads(opt.n_threads, blocks);
  struct Scratch {
    std::vector<std::uint32_t> whole_idx, picks;  // picks: kPermBlock rows of `largest`
    std::vector<std::size_t> undo;
    std::vector<Rng> rngs;
    RowMatrix sg, g_acc, h_acc;  // per permutation of the block
    std::vector<std::size_t> extreme;
  };
  std::vector<Scratch> scratch(workers);
  const std::size_t n_whole = static_cast<std::size_t>(plan.whole.rows());
  std::size_t largest = 0;
  for (std::size_t c = 0; c + 1 < plan.m_start.size(); ++c)
    largest = std::max(largest, plan.m_start[c + 1] - plan.m_start[c]);
  const std::uint64_t stream0 = static_cast<std::uint64_t>(pair + 1) << 32;
  const double* xm = plan.xm.data();

  parallel_for(blocks, workers, [&](std::size_t block, unsigned worker) {
    Scratch& s = scratch[worker];
    if (s.extreme.empty()) {
      s.whole_idx.resize(n_whole);
      std::iota(s.whole_idx.begin(), s.whole_idx.end(), 0u);
      s.picks.resize(kPermBlock * largest);
      s.undo.resize(plan.whole_draw);
      s.extreme.assign(static_cast<std::size_t>(F), 0);
    }
    const std::size_t t0 = block * kPermBlock;
    const Index B = static_cast<Index>(std::min(kPermBlock, opt.n_perm - t0));
    s.rngs.clear();
    for (Index b = 0; b < B; ++b) s.rngs.emplace_back(opt.seed, stream0 + t0 + static_cast<std::size_t>(b));
    s.sg.setZero(B, K);
    s.g_acc.setZero(B, W);
    s.h_acc.setZero(B, W);
    // Whole clusters: each permutation draws the smaller side's number of them.
    for (Index b = 0; b < B; ++b) {
      Rng& rng = s.rngs[static_cast<std::size_t>(b)];
      double* drawn = s.sg.row(b).data();
      for (std::size_t k = 0; k < plan.whole_draw; ++k) {
        const std::size_t j = k + static_cast<std::size_t>(rng.below(n_whole - k));
        std::swap(s.whole_idx[k], s.whole_idx[j]);
        s.undo[k] = j;
        add_row(drawn, plan.whole.row(s.whole_idx[k]).data(), K);
      }
      for (std::size_t k = plan.whole_draw; k-- > 0;) std::swap(s.whole_idx[k], s.whole_idx[s.undo[k]]);
      if (!plan.whole_draws_g) s.sg.row(b) = plan.whole_total - s.sg.row(b);
    }
    // Mixed clusters: within each, every permutation draws the smaller
    // side's number of quotes (a partial Fisher-Yates shuffle from the
    // identity order); then the drawn rows are summed one 8-column slice at
    // a time for all permutations, so the slice stays in L1 cache.
    for (std::size_t c = 0; c + 1 < plan.m_start.size(); ++c) {
      const std::size_t off = plan.m_start[c], m = plan.m_start[c + 1] - off, k_draw = plan.m_draw[c];
      const double* rows = xm + off * static_cast<std::size_t>(W);
      for (Index b = 0; b < B; ++b) {
        Rng& rng = s.rngs[static_cast<std::size_t>(b)];
        std::uint32_t* local = s.picks.data() + static_cast<std::size_t>(b) * largest;
        std::iota(local, local + m, 0u);
        for (std::size_t k = 0; k < k_draw; ++k) {
          const std::size_t j = k + static_cast<std::size_t>(rng.below(m - k));
          std::swap(local[k], local[j]);
        }
      }
      RowMatrix& acc = plan.m_draws_g[c] ? s.g_acc : s.h_acc;
      for (Index c0 = 0; c0 < W; c0 += 8)
        for (Index b = 0; b < B; ++b)
          add_picked_columns<8>(acc.row(b).data(), rows, s.picks.data() + static_cast<std::size_t>(b) * largest,
                                k_draw, static_cast<std::size_t>(W), c0);
    }
    for (Index b = 0; b < B; ++b) {
      // g's sums and counts, in the layout of the cluster sums.
      double* sg = s.sg.row(b).data();
      const double* ga = s.g_acc.row(b).data();
      const double* ha = s.h_acc.row(b).data();
      for (Index f = 0; f < F; ++f) sg[f] += ga[f] + plan.h_drawn_total[f] - ha[f];
      sg[F] += plan.g_mixed_count;
      for (Index slot = 0; slot < M; ++slot)
        sg[F + 1 + slot] += ga[F + slot] + plan.h_drawn_total[F + slot] - ha[F + slot];
      for (Index f = 0; f < F; ++f) {
        const double cg = sg[lay.count_col(f)], sumg = sg[f];
        const double diff = sumg / cg - (total[f] - sumg) / (total[lay.count_col(f)] - cg);
        if (std::isnan(diff) || std::abs(diff) >= threshold[f]) ++s.extreme[static_cast<std::size_t>(f)];
      }
    }
  });
  std::vector<std::size_t> extreme(static_cast<std::size_t>(F), 0);
  for (const auto& s : scratch)
    for (std::size_t f = 0; f < s.extreme.size(); ++f) extreme[f] += s.extreme[f];
  return extreme;
}

// Sorts doubles (no NaN) by LSD radix sort on their bit patterns, mapped so
// that unsigned order is numeric order (flip all bits of negatives, the
// sign bit of the rest; -0 sorts just before +0, which compare equal
// anyway). Byte positions where all keys agree are skipped, so 0/1 scores
// cost two passes. `tmp` is scratch.
void radix_sort(std::vector<double>& v, std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& tmp) {
  const std::size_t n = v.size();
  keys.resize(n);
  tmp.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t u;
    std::memcpy(&u, &v[i], sizeof u);
    keys[i] = (u >> 63) ? ~u : (u | (std::uint64_t{1} << 63));
  }
  std::size_t count[256];
  for (int shift = 0; shift < 64; shift += 8) {
    std::fill(std::begin(count), std::end(count), 0);
    for (std::uint64_t k : keys) ++count[(k >> shift) & 0xFF];
    if (n == 0 || count[(keys[0] >> shift) & 0xFF] == n) continue;  // all share this byte
    std::size_t sum = 0;
    for (auto& c : count) {
      const std::size_t here = c;
      c = sum;
      sum += here;
    }
    for (std::uint64_t k : keys) tmp[count[(k >> shift) & 0xFF]++] = k;
    keys.swap(tmp);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = keys[i];
    const std::uint64_t u = (k >> 63) ? (k & ~(std::uint64_t{1} << 63)) : ~k;
    std::memcpy(&v[i], &u, sizeof u);
  }
}

}  // namespace

CompareResult compare_groups(const MatrixRef& x, const LabelRef& group_in, const LabelRef& cluster,
                             Index n_groups, const CompareOptions& opt) {
  const Index N = x.rows(), F = x.cols(), G = n_groups;
  if (group_in.size() != N)
    throw std::invalid_argument("compare_groups: x has " + std::to_string(N) + " quotes but group has " +
                                std::to_string(group_in.size()) + " entries");
  if (cluster.size() != 0 && cluster.size() != N)
    throw std::invalid_argument("compare_groups: x has " + std::to_string(N) +
                                " quotes but cluster has " + std::to_string(cluster.size()) + " entries");
  if (G < 2) throw std::invalid_argument("compare_groups: need at least 2 groups, got " + std::to_string(G));
  if (static_cast<std::size_t>(N) >= kMax32)
    throw std::invalid_argument("compare_groups: 2^32 quotes or more are not supported");
  if (!(opt.level > 0.0 && opt.level < 1.0))
    throw std::invalid_argument("compare_groups: level must be in (0, 1), got " + std::to_string(opt.level));
  if (opt.n_boot >= kMax32 || opt.n_perm >= kMax32)
    throw std::invalid_argument("compare_groups: n_boot and n_perm must be < 2^32");
  std::vector<std::uint32_t> group(static_cast<std::size_t>(N));
  for (Index q = 0; q < N; ++q) {
    if (group_in[q] < 0 || group_in[q] >= G)
      throw std::invalid_argument("compare_groups: group code " + std::to_string(group_in[q]) +
                                  " of quote " + std::to_string(q) + " is outside [0, " +
                                  std::to_string(G) + ")");
    group[static_cast<std::size_t>(q)] = static_cast<std::uint32_t>(group_in[q]);
  }

  // One pass: counts, sums, the largest |value|, and which features have gaps.
  RowMatrix sum = RowMatrix::Zero(G, F);
  CountMatrix count = CountMatrix::Zero(G, F);
  RowVector max_abs = RowVector::Zero(F);
  std::vector<std::int64_t> group_size(static_cast<std::size_t>(G), 0);
  for (Index q = 0; q < N; ++q) ++group_size[group[static_cast<std::size_t>(q)]];
  for (Index q = 0; q < N; ++q)
    for (Index f = 0; f < F; ++f) {
      const double v = x(q, f);
      if (std::isnan(v)) continue;
      if (!std::isfinite(v))
        throw std::invalid_argument("compare_groups: infinite value at quote " + std::to_string(q) +
                                    ", feature " + std::to_string(f));
      sum(group[static_cast<std::size_t>(q)], f) += v;
      ++count(group[static_cast<std::size_t>(q)], f);
      max_abs[f] = std::max(max_abs[f], std::abs(v));
    }
  Layout lay;
  lay.F = F;
  lay.gap_slot.assign(static_cast<std::size_t>(F), -1);
  for (Index f = 0; f < F; ++f)
    if (count.col(f).sum() != N) lay.gap_slot[static_cast<std::size_t>(f)] = lay.M++;

  CompareResult res;
  res.n = count;
  res.mean = sum.array() / count.cast<double>().array();  // 0/0 = NaN for empty groups
  // Second pass for the variances (centred, for accuracy).
  RowMatrix ss = RowMatrix::Zero(G, F);
  for (Index q = 0; q < N; ++q) {
    const auto g = group[static_cast<std::size_t>(q)];
    for (Index f = 0; f < F; ++f) {
      const double v = x(q, f);
      if (!std::isnan(v)) ss(g, f) += (v - res.mean(g, f)) * (v - res.mean(g, f));
    }
  }

  const ClusterIndex ci = index_clusters(cluster, static_cast<std::size_t>(N));
  const std::vector<GroupClusters> gcs = cluster_sums(x, group, G, ci, lay);
  res.clusters.resize(G);
  for (Index g = 0; g < G; ++g) res.clusters[g] = static_cast<std::int64_t>(gcs[static_cast<std::size_t>(g)].cluster.size());

  // Bootstrap intervals of the means and of the pairwise differences.
  const std::vector<double> rep = bootstrap_means(gcs, ci.count, lay, opt);
  const double p_lo = 0.5 * (1.0 - opt.level), p_hi = 0.5 * (1.0 + opt.level);
  auto at = [&](std::size_t r, Index g, Index f) {
    return rep[(r * static_cast<std::size_t>(G) + static_cast<std::size_t>(g)) * static_cast<std::size_t>(F) +
               static_cast<std::size_t>(f)];
  };
  res.ci_low.resize(G, F);
  res.ci_high.resize(G, F);
  std::vector<double> vals;
  for (Index g = 0; g < G; ++g)
    for (Index f = 0; f < F; ++f) {
      vals.clear();
      for (std::size_t r = 0; r < opt.n_boot; ++r)
        if (!std::isnan(at(r, g, f))) vals.push_back(at(r, g, f));
      std::sort(vals.begin(), vals.end());
      res.ci_low(g, f) = quantile_sorted(vals, p_lo);
      res.ci_high(g, f) = quantile_sorted(vals, p_hi);
    }

  const Index P = G * (G - 1) / 2;
  res.pairs.resize(P, 2);
  res.diff.resize(P, F);
  res.diff_low.resize(P, F);
  res.diff_high.resize(P, F);
  res.p_value.resize(P, F);
  res.cohen_d.resize(P, F);
  res.cliff_delta.resize(P, F);
  res.whole_clusters.resize(P);
  res.mixed_clusters.resize(P);
  Index p = 0;
  for (Index g = 0; g < G; ++g)
    for (Index h = g + 1; h < G; ++h, ++p) {
      res.pairs(p, 0) = g;
      res.pairs(p, 1) = h;
      RowVector total(lay.width()), threshold(F);
      total.head(F) = sum.row(g) + sum.row(h);
      total[F] = static_cast<double>(group_size[static_cast<std::size_t>(g)] + group_size[static_cast<std::size_t>(h)]);
      for (Index f = 0; f < F; ++f) {
        const double d = res.mean(g, f) - res.mean(h, f);
        res.diff(p, f) = d;
        threshold[f] = std::abs(d) - 1e-9 * max_abs[f];
        total[lay.count_col(f)] = static_cast<double>(count(g, f) + count(h, f));
        vals.clear();
        for (std::size_t r = 0; r < opt.n_boot; ++r) {
          const double dr = at(r, g, f) - at(r, h, f);
          if (!std::isnan(dr)) vals.push_back(dr);
        }
        std::sort(vals.begin(), vals.end());
        res.diff_low(p, f) = quantile_sorted(vals, p_lo);
        res.diff_high(p, f) = quantile_sorted(vals, p_hi);
        const double ng = static_cast<double>(count(g, f)), nh = static_cast<double>(count(h, f));
        const double pooled = std::sqrt((ss(g, f) + ss(h, f)) / (ng + nh - 2.0));
        res.cohen_d(p, f) = (ng + nh > 2.0 && pooled > 0) ? d / pooled : kNaN;
      }
      const PairPlan plan = plan_pair(x, group, ci, gcs[static_cast<std::size_t>(g)],
                                      gcs[static_cast<std::size_t>(h)], static_cast<std::uint32_t>(g),
                                      static_cast<std::uint32_t>(h), lay);
      res.whole_clusters[p] = plan.whole.rows();
      res.mixed_clusters[p] = static_cast<std::int64_t>(plan.m_draw.size());
      if (opt.n_perm == 0) {
        res.p_value.row(p).setConstant(kNaN);
        continue;
      }
      const std::vector<std::size_t> extreme =
          permute_pair(plan, lay, total, threshold, static_cast<std::size_t>(p), opt);
      for (Index f = 0; f < F; ++f)
        res.p_value(p, f) = std::isnan(res.diff(p, f))
                                ? kNaN
                                : static_cast<double>(1 + extreme[static_cast<std::size_t>(f)]) /
                                      static_cast<double>(1 + opt.n_perm);
    }

  // Cliff's delta, a few features per work item (one pass over the rows
  // gathers them all): sort each group's values, then count the pairs above
  // and below by merging.
  constexpr Index kFeatureChunk = 4;
  const std::size_t chunks = static_cast<std::size_t>((F + kFeatureChunk - 1) / kFeatureChunk);
  const unsigned workers = resolve_threads(opt.n_threads, chunks);
  struct CliffScratch {
    std::vector<std::vector<double>> values;  // [feature in chunk * G + group]
    std::vector<std::uint64_t> keys, tmp;
  };
  std::vector<CliffScratch> cliff(workers);
  parallel_for(chunks, workers, [&](std::size_t chunk, unsigned worker) {
    CliffScratch& cs = cliff[worker];
    const Index f0 = static_cast<Index>(chunk) * kFeatureChunk, f1 = std::min(F, f0 + kFeatureChunk);
    cs.values.resize(static_cast<std::size_t>(kFeatureChunk * G));
    for (auto& v : cs.values) v.clear();
    for (Index q = 0; q < N; ++q) {
      const std::size_t g = group[static_cast<std::size_t>(q)];
      for (Index f = f0; f < f1; ++f) {
        const double v = x(q, f);
        if (!std::isnan(v)) cs.values[static_cast<std::size_t>(f - f0) * static_cast<std::size_t>(G) + g].push_back(v);
      }
    }
    for (Index f = f0; f < f1; ++f) {
      auto* by_group = cs.values.data() + static_cast<std::size_t>(f - f0) * static_cast<std::size_t>(G);
      for (Index g = 0; g < G; ++g) radix_sort(by_group[g], cs.keys, cs.tmp);
      for (Index pp = 0; pp < P; ++pp) {
        const auto& a = by_group[res.pairs(pp, 0)];
        const auto& b = by_group[res.pairs(pp, 1)];
        if (a.empty() || b.empty()) {
          res.cliff_delta(pp, f) = kNaN;
          continue;
        }
        std::size_t below = 0, not_above = 0;  // b values < x and <= x
        std::uint64_t greater = 0, less = 0;
        for (double v : a) {
          while (below < b.size() && b[below] < v) ++below;
          while (not_above < b.size() && b[not_above] <= v) ++not_above;
          greater += below;
          less += b.size() - not_above;
        }
        res.cliff_delta(pp, f) = (static_cast<double>(greater) - static_cast<double>(less)) /
                                 (static_cast<double>(a.size()) * static_cast<double>(b.size()));
      }
    }
  });
  return res;
}

}  // namespace quoteframe::stats
