#include "quoteframe/stats/compare.hpp"

#include <algorithm>
#include <cmath>
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

// Everything one permutation of one pair needs, prepared once.
struct PairPlan {
  // Clusters with quotes of only one of the two groups, moved as wholes.
  RowMatrix whole;  // rows of cluster sums (layout width)
  RowVector whole_total;
  std::size_t whole_draw = 0;  // min(a_g, a_h) clusters are drawn
  bool whole_draws_g = true;   // ... and they become g's
  // Clusters with quotes of both groups: one row per quote, cluster by
  // cluster: F values (NaN -> 0), then 1 for each gappy feature present.
  RowMatrix xm;
  std::vector<std::size_t> m_start;
  std::vector<std::size_t> m_draw;  // the smaller side's size in each cluster
  std::vector<char> m_draws_g;
  RowVector h_drawn_total;    // F + M: totals of the clusters where h is drawn
  double g_mixed_count = 0;   // g's quotes in mixed clusters (fixed)
};

PairPlan plan_pair(const MatrixRef& x, const std::vector<std::uint32_t>& group, const ClusterIndex& ci,
                   const GroupClusters& gg, const GroupClusters& gh, std::uint32_t g, std::uint32_t h,
                   const Layout& lay) {
  const Index K = lay.width(), F = lay.F, W = lay.F + lay.M;
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
  plan.xm.resize(static_cast<Index>(n_m), W);
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

// acc[0..w) += row[0..w): the hot loop of the permutations (a plain loop
// the compiler vectorises; an Eigen expression per short row costs more
// in setup than in arithmetic).
inline void add_row(double* __restrict acc, const double* __restrict row, Index w) {
  for (Index i = 0; i < w; ++i) acc[i] += row[i];
}

// Counts, per feature, the permutations at least as extreme as observed.
std::vector<std::size_t> permute_pair(const PairPlan& plan, const Layout& lay, const RowVector& total,
                                      const RowVector& threshold, std::size_t pair,
                                      const CompareOptions& opt) {
  const Index K = lay.width(), F = lay.F, M = lay.M, W = lay.F + lay.M;
  constexpr std::size_t kBlock = 16;
  const std::size_t blocks = (opt.n_perm + kBlock - 1) / kBlock;
  const unsigned workers = resolve_threads(opt.n_threads, blocks);
  struct Scratch {
    std::vector<std::uint32_t> whole_idx, pos;
    std::vector<std::size_t> undo;
    std::vector<double> drawn, g_acc, h_acc, sg;
    std::vector<std::size_t> extreme;
  };
  std::vector<Scratch> scratch(workers);
  const std::size_t n_whole = static_cast<std::size_t>(plan.whole.rows());
  const std::size_t n_m = static_cast<std::size_t>(plan.xm.rows());
  const std::uint64_t stream0 = static_cast<std::uint64_t>(pair + 1) << 32;
  const double* xm = plan.xm.data();

  parallel_for(blocks, workers, [&](std::size_t block, unsigned worker) {
    Scratch& s = scratch[worker];
    if (s.extreme.empty()) {
      s.whole_idx.resize(n_whole);
      std::iota(s.whole_idx.begin(), s.whole_idx.end(), 0u);
      s.pos.resize(n_m);
      std::iota(s.pos.begin(), s.pos.end(), 0u);
      std::size_t most = plan.whole_draw;
      for (std::size_t d : plan.m_draw) most = std::max(most, d);
      s.undo.resize(most);
      s.extreme.assign(static_cast<std::size_t>(F), 0);
    }
    const std::size_t end = std::min(opt.n_perm, (block + 1) * kBlock);
    for (std::size_t t = block * kBlock; t < end; ++t) {
      Rng rng(opt.seed, stream0 + t);
      // Whole clusters: draw the smaller side's number of them.
      s.drawn.assign(static_cast<std::size_t>(K), 0.0);
      for (std::size_t k = 0; k < plan.whole_draw; ++k) {
        const std::size_t j = k + static_cast<std::size_t>(rng.below(n_whole - k));
        std::swap(s.whole_idx[k], s.whole_idx[j]);
        s.undo[k] = j;
        add_row(s.drawn.data(), plan.whole.row(s.whole_idx[k]).data(), K);
      }
      for (std::size_t k = plan.whole_draw; k-- > 0;) std::swap(s.whole_idx[k], s.whole_idx[s.undo[k]]);
      s.sg.resize(static_cast<std::size_t>(K));
      for (Index i = 0; i < K; ++i)
        s.sg[static_cast<std::size_t>(i)] = plan.whole_draws_g ? s.drawn[static_cast<std::size_t>(i)]
                                                               : plan.whole_total[i] - s.drawn[static_cast<std::size_t>(i)];
      // Mixed clusters: within each, draw the smaller side's number of quotes.
      s.g_acc.assign(static_cast<std::size_t>(W), 0.0);
      s.h_acc.assign(static_cast<std::size_t>(W), 0.0);
      for (std::size_t c = 0; c + 1 < plan.m_start.size(); ++c) {
        const std::size_t off = plan.m_start[c], m = plan.m_start[c + 1] - off, k_draw = plan.m_draw[c];
        double* acc = plan.m_draws_g[c] ? s.g_acc.data() : s.h_acc.data();
        std::uint32_t* pos = s.pos.data() + off;
        for (std::size_t k = 0; k < k_draw; ++k) {
          const std::size_t j = k + static_cast<std::size_t>(rng.below(m - k));
          std::swap(pos[k], pos[j]);
          s.undo[k] = j;
          add_row(acc, xm + static_cast<std::size_t>(W) * pos[k], W);
        }
        for (std::size_t k = k_draw; k-- > 0;) std::swap(pos[k], pos[s.undo[k]]);
      }
      // g's sums and counts in the layout of the cluster sums.
      for (Index f = 0; f < F; ++f)
        s.sg[static_cast<std::size_t>(f)] += s.g_acc[static_cast<std::size_t>(f)] + plan.h_drawn_total[f] -
                                             s.h_acc[static_cast<std::size_t>(f)];
      s.sg[static_cast<std::size_t>(F)] += plan.g_mixed_count;
      for (Index slot = 0; slot < M; ++slot)
        s.sg[static_cast<std::size_t>(F + 1 + slot)] += s.g_acc[static_cast<std::size_t>(F + slot)] +
                                                        plan.h_drawn_total[F + slot] -
                                                        s.h_acc[static_cast<std::size_t>(F + slot)];
      for (Index f = 0; f < F; ++f) {
        const double cg = s.sg[static_cast<std::size_t>(lay.count_col(f))], sumg = s.sg[static_cast<std::size_t>(f)];
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

  // One pass: counts, sums, the largest |value|, and whether anything is missing.
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

  // Cliff's delta, one feature per work item: sort each group's values once,
  // then count the pairs above and below by merging.
  const unsigned workers = resolve_threads(opt.n_threads, static_cast<std::size_t>(F));
  std::vector<std::vector<std::vector<double>>> sorted(workers);
  parallel_for(static_cast<std::size_t>(F), workers, [&](std::size_t fi, unsigned worker) {
    const Index f = static_cast<Index>(fi);
    auto& by_group = sorted[worker];
    by_group.resize(static_cast<std::size_t>(G));
    for (auto& v : by_group) v.clear();
    for (Index q = 0; q < N; ++q) {
      const double v = x(q, f);
      if (!std::isnan(v)) by_group[group[static_cast<std::size_t>(q)]].push_back(v);
    }
    for (auto& v : by_group) std::sort(v.begin(), v.end());
    for (Index pp = 0; pp < P; ++pp) {
      const auto& a = by_group[static_cast<std::size_t>(res.pairs(pp, 0))];
      const auto& b = by_group[static_cast<std::size_t>(res.pairs(pp, 1))];
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
  });
  return res;
}

}  // namespace quoteframe::stats
