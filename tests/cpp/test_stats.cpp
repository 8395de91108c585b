// Tests of quoteframe::stats. Expected values are worked by hand (shown in
// the comments), taken from the cited papers, or computed by an independent
// enumeration inside the test; none is read back from the implementation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "quoteframe/stats/stats.hpp"
#include "quoteframe/stats/parallel.hpp"

namespace st = quoteframe::stats;
using Approx = Catch::Detail::Approx;

namespace {

const double NA = std::numeric_limits<double>::quiet_NaN();

st::RowMatrix matrix(int rows, int cols, std::vector<double> v) {
  return Eigen::Map<st::RowMatrix>(v.data(), rows, cols);
}
st::Vector vec(std::vector<double> v) { return Eigen::Map<st::Vector>(v.data(), static_cast<Eigen::Index>(v.size())); }
st::LabelVector labels(std::vector<std::int64_t> v) {
  return Eigen::Map<st::LabelVector>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section
// C: observers A-D (rows) by 12 units, "." = missing.
st::RowMatrix krippendorff_example() {
  return matrix(4, 12, {1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA,  //
                        1, 2, 3, 3, 2, 2, 4, 1, 2, 5,  NA, 3,   //
                        NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1,  NA,  //
                        1, 2, 3, 3, 2, 4, 4, 1, 2, 5,  1,  NA});
}

// All ways of choosing k of n items (as index vectors), for exact
// permutation distributions of tiny data.
void choose(int n, int k, int from, std::vector<int>& cur, std::vector<std::vector<int>>& out) {
  if (static_cast<int>(cur.size()) == k) {
    out.push_back(cur);
    return;
  }
  for (int i = from; i < n; ++i) {
    cur.push_back(i);
    choose(n, k, i + 1, cur, out);
    cur.pop_back();
  }
}
std::vector<std::vector<int>> subsets(int n, int k) {
  std::vector<std::vector<int>> out;
  std::vector<int> cur;
  choose(n, k, 0, cur, out);
  return out;
}

// Poisson draws (Knuth's product-of-uniforms method; fine for lambda < 50).
double poisson(st::Rng& rng, double lambda) {
  const double limit = std::exp(-lambda);
  double prod = rng.uniform();
  int k = 0;
  while (prod > limit) {
    prod *= rng.uniform();
    ++k;
  }
  return k;
}

double correlation(const st::Vector& a, const st::Vector& b) {
  const Eigen::ArrayXd x = a.array() - a.mean(), y = b.array() - b.mean();
  return (x * y).sum() / std::sqrt((x * x).sum() * (y * y).sum());
}

}  // namespace

// ---------------------------------------------------------------- random

TEST_CASE("SplitMix64 and xoshiro256** reproduce reference outputs", "[stats]") {
  // The published SplitMix64 sequence from state 0.
  st::SplitMix64 sm(0);
  CHECK(sm.next() == 0xE220A8397B1DCDAFULL);
  CHECK(sm.next() == 0x6E789E6AA1B965F4ULL);
  CHECK(sm.next() == 0x06C45D188009454FULL);
  // Seeded generators, from an independent Python implementation of the
  // documented algorithm (which also reproduces the reference xoshiro256**
  // outputs 11520, 0, 1509978240 from the state {1, 2, 3, 4}).
  st::Rng r0(0);
  CHECK(r0.next() == 0x99EC5F36CB75F2B4ULL);
  CHECK(r0.next() == 0xBF6E1F784956452AULL);
  CHECK(r0.next() == 0x1A5F849D4933E6E0ULL);
  st::Rng r42(42, 7);
  CHECK(r42.next() == 0xE91DBE1BC2A92FBCULL);
  CHECK(r42.next() == 0xDAF146C587C703FAULL);
  CHECK(r42.next() == 0xF8C6DFFD177718E7ULL);
}

TEST_CASE("Rng::below stays in range and is close to uniform", "[stats]") {
  st::Rng rng(3);
  std::vector<int> hist(7, 0);
  for (int i = 0; i < 70000; ++i) {
    const auto v = rng.below(7);
    REQUIRE(v < 7);
    ++hist[v];
  }
  for (int h : hist) CHECK(std::abs(h - 10000) < 500);  // > 5 sd away would be a bug
  CHECK(rng.below(1) == 0);
  const std::uint64_t big = (std::uint64_t{1} << 40) + 3;  // the 64-bit path
  for (int i = 0; i < 1000; ++i) CHECK(rng.below(big) < big);
  for (int i = 0; i < 1000; ++i) {
    const double u = rng.uniform();
    CHECK((u >= 0.0 && u < 1.0));
  }
}

TEST_CASE("parallel_for runs every item once and rethrows a worker's exception", "[stats]") {
  std::vector<int> seen(1000, 0);
  st::parallel_for(seen.size(), 3, [&](std::size_t i, unsigned) { ++seen[i]; });
  CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
  CHECK_THROWS_AS(st::parallel_for(100, 2,
                                   [](std::size_t i, unsigned) {
                                     if (i == 57) throw std::runtime_error("item 57");
                                   }),
                  std::runtime_error);
}

// ---------------------------------------------------------------- agreement

TEST_CASE("Krippendorff's alpha reproduces the worked example of Krippendorff (2011)", "[stats]") {
  const st::RowMatrix d = krippendorff_example();
  // The paper gives 0.743 (nominal), 0.815 (ordinal), 0.849 (interval) and
  // 0.797 (ratio); the exact fractions come from an independent pairwise
  // computation with Python's fractions module.
  CHECK(st::krippendorff_alpha(d, st::Level::kNominal) == Approx(113.0 / 152.0).epsilon(1e-12));
  CHECK(st::krippendorff_alpha(d, "ordinal") == Approx(108577.0 / 133160.0).epsilon(1e-12));
  CHECK(st::krippendorff_alpha(d, "interval") == Approx(951.0 / 1120.0).epsilon(1e-12));
  CHECK(st::krippendorff_alpha(d, "ratio") == Approx(18222619.0 / 22852465.0).epsilon(1e-12));
  CHECK(st::krippendorff_alpha(d, "nominal") == Approx(0.743).margin(5e-4));
}

TEST_CASE("Krippendorff's alpha on small hand-worked cases", "[stats]") {
  // Two coders, four units: A = 0 1 0 1, B = 0 1 1 1. n = 8, n_0 = 3,
  // n_1 = 5, o_01 = o_10 = 1: alpha = 1 - (n-1) * 2 / (2 * 3 * 5) = 8/15.
  CHECK(st::krippendorff_alpha(matrix(2, 4, {0, 1, 0, 1, 0, 1, 1, 1}), "nominal") ==
        Approx(8.0 / 15.0));
  // Interval, two coders, units (1,2), (3,3): values 1,2,3,3, n = 4, mean 9/4.
  // observed = 2 * 1 / 1 = 2; expected = 2 n sum (v - mean)^2 = 8 * 2.75 = 22.
  // alpha = 1 - 3 * 2 / 22 = 8/11.
  CHECK(st::krippendorff_alpha(matrix(2, 2, {1, 3, 2, 3}), "interval") == Approx(8.0 / 11.0));
  // Perfect agreement with variation is 1; a unit coded once is ignored.
  CHECK(st::krippendorff_alpha(matrix(2, 3, {1, 2, 7, 1, 2, NA}), "ordinal") == Approx(1.0));
  // No variation at all: alpha is undefined.
  CHECK(std::isnan(st::krippendorff_alpha(matrix(2, 2, {4, 4, 4, 4}), "interval")));
}

TEST_CASE("Krippendorff's alpha rejects bad input", "[stats]") {
  CHECK_THROWS_AS(st::krippendorff_alpha(krippendorff_example(), "cardinal"), std::invalid_argument);
  CHECK_THROWS_AS(st::krippendorff_alpha(matrix(2, 2, {1, NA, NA, 2}), "nominal"), std::invalid_argument);
  CHECK_THROWS_AS(st::krippendorff_alpha(matrix(1, 3, {1, 2, 3}), "nominal"), std::invalid_argument);
  CHECK_THROWS_AS(st::krippendorff_alpha(matrix(2, 2, {1, -2, 1, 2}), "ratio"), std::invalid_argument);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(st::krippendorff_alpha(matrix(2, 2, {1, inf, 1, 2}), "interval"), std::invalid_argument);
}

TEST_CASE("Cohen's kappa on hand-worked tables", "[stats]") {
  // 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15. p_o = 0.7,
  // p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.4.
  std::vector<double> a, b;
  auto add = [&](double x, double y, int times) {
    for (int i = 0; i < times; ++i) {
      a.push_back(x);
      b.push_back(y);
    }
  };
  add(1, 1, 20);
  add(1, 0, 5);
  add(0, 1, 10);
  add(0, 0, 15);
  CHECK(st::cohen_kappa(vec(a), vec(b)) == Approx(0.4));
  // Pairs with a missing label are dropped.
  add(NA, 1, 3);
  add(0, NA, 2);
  CHECK(st::cohen_kappa(vec(a), vec(b)) == Approx(0.4));
  // 1 1 0 0 1 0 vs 1 0 0 0 1 1: p_o = 4/6, p_e = 1/2, kappa = 1/3.
  CHECK(st::cohen_kappa(vec({1, 1, 0, 0, 1, 0}), vec({1, 0, 0, 0, 1, 1})) == Approx(1.0 / 3.0));
  CHECK(std::isnan(st::cohen_kappa(vec({2, 2}), vec({2, 2}))));
  CHECK_THROWS_AS(st::cohen_kappa(vec({1, 2}), vec({1})), std::invalid_argument);
  CHECK_THROWS_AS(st::cohen_kappa(vec({NA}), vec({1})), std::invalid_argument);
}

// ---------------------------------------------------------------- keyness

TEST_CASE("log_odds_z matches a hand computation", "[stats]") {
  // Group 0: y = (2, 0), n = 2; rest: y' = (1, 3), n' = 4; prior (1, 1), a0 = 2.
  // term 0: delta = log(3 / 1) - log(2 / 4) = log 6, var = 1/3 + 1/2.
  // term 1: delta = log(1 / 3) - log(4 / 2) = -log 6, var = 1/1 + 1/4.
  const auto r = st::log_odds_z(matrix(2, 2, {2, 0, 1, 3}), vec({1, 1}));
  CHECK(r.delta(0, 0) == Approx(std::log(6.0)));
  CHECK(r.z(0, 0) == Approx(std::log(6.0) / std::sqrt(5.0 / 6.0)));
  CHECK(r.delta(0, 1) == Approx(-std::log(6.0)));
  CHECK(r.z(0, 1) == Approx(-std::log(6.0) / std::sqrt(1.25)));
  // With two groups, group 1 against the rest is the mirror image.
  CHECK(r.delta(1, 0) == Approx(-std::log(6.0)));
  CHECK(r.z(1, 0) == Approx(-std::log(6.0) / std::sqrt(5.0 / 6.0)));
  CHECK(r.z(1, 1) == Approx(std::log(6.0) / std::sqrt(1.25)));
}

TEST_CASE("log_odds_z rejects bad input", "[stats]") {
  CHECK_THROWS_AS(st::log_odds_z(matrix(1, 2, {1, 2}), vec({1, 1})), std::invalid_argument);
  CHECK_THROWS_AS(st::log_odds_z(matrix(2, 2, {1, 2, 3, 4}), vec({1, 1, 1})), std::invalid_argument);
  CHECK_THROWS_AS(st::log_odds_z(matrix(2, 2, {1, -2, 3, 4}), vec({1, 1})), std::invalid_argument);
  CHECK_THROWS_AS(st::log_odds_z(matrix(2, 2, {1, 2, 3, 4}), vec({1, 0})), std::invalid_argument);
}

// ---------------------------------------------------------------- BH, JS

TEST_CASE("Benjamini-Hochberg against a hand-worked list", "[stats]") {
  // Sorted: .005 .01 .03 .04 .5; m p / rank = .025 .025 .05 .05 .5; running
  // minimum from the top gives .025 .025 .05 .05 .5, put back in place.
  const st::Vector q = st::benjamini_hochberg(vec({0.01, 0.04, 0.03, 0.005, 0.5}));
  const std::vector<double> expected{0.025, 0.05, 0.05, 0.025, 0.5};
  for (int i = 0; i < 5; ++i) CHECK(q[i] == Approx(expected[static_cast<std::size_t>(i)]));
  // NaN stays NaN and does not count: m = 2 here.
  const st::Vector qn = st::benjamini_hochberg(vec({0.01, NA, 0.04}));
  CHECK(qn[0] == Approx(0.02));
  CHECK(std::isnan(qn[1]));
  CHECK(qn[2] == Approx(0.04));
  // Ties share their value; 1 stays 1.
  const st::Vector qt = st::benjamini_hochberg(vec({0.02, 0.02, 1.0}));
  CHECK(qt[0] == Approx(0.03));
  CHECK(qt[1] == Approx(0.03));
  CHECK(qt[2] == Approx(1.0));
  CHECK_THROWS_AS(st::benjamini_hochberg(vec({0.5, 1.5})), std::invalid_argument);
}

TEST_CASE("Jensen-Shannon divergence", "[stats]") {
  CHECK(st::jensen_shannon(vec({1, 2, 3}), vec({2, 4, 6})) == Approx(0.0).margin(1e-15));
  CHECK(st::jensen_shannon(vec({1, 0, 0}), vec({0, 3, 1})) == Approx(1.0));
  // P = (1, 0), Q = (1/2, 1/2), M = (3/4, 1/4):
  // KL(P||M) = log2(4/3), KL(Q||M) = 1/2 log2(2/3) + 1/2 log2(2).
  const double expected = 0.5 * (std::log2(4.0 / 3.0) + 0.5 * std::log2(2.0 / 3.0) + 0.5);
  CHECK(st::jensen_shannon(vec({2, 0}), vec({3, 3})) == Approx(expected));
  CHECK(st::jensen_shannon(vec({3, 3}), vec({2, 0})) == Approx(expected));
  CHECK_THROWS_AS(st::jensen_shannon(vec({1, 2}), vec({1, 2, 3})), std::invalid_argument);
  CHECK_THROWS_AS(st::jensen_shannon(vec({1, -1}), vec({1, 2})), std::invalid_argument);
  CHECK_THROWS_AS(st::jensen_shannon(vec({0, 0}), vec({1, 2})), std::invalid_argument);
}

// ---------------------------------------------------------------- resampling

TEST_CASE("permutation_test converges to the exact permutation p-value", "[stats]") {
  const std::vector<double> v{1, 2, 3, 4, 5, 9};
  // Enumerate all 20 ways to pick the first group's 3 values.
  const double observed = (1 + 2 + 3) / 3.0 - (4 + 5 + 9) / 3.0;  // -4
  int extreme = 0;
  const auto all = subsets(6, 3);
  for (const auto& s : all) {
    double a = 0;
    for (int i : s) a += v[static_cast<std::size_t>(i)];
    const double diff = a / 3.0 - (24.0 - a) / 3.0;
    if (std::abs(diff) >= std::abs(observed) - 1e-12) ++extreme;
  }
  // By hand: diff = (2a - 24) / 3 for first-group sum a, so |diff| >= 4 needs
  // a <= 6 or a >= 18: only {1,2,3} and {4,5,9}, p = 2/20.
  const double exact = static_cast<double>(extreme) / static_cast<double>(all.size());
  CHECK(exact == Approx(0.1));
  const auto r = st::permutation_test(vec(v), labels({0, 0, 0, 1, 1, 1}), 100000, 1);
  CHECK(r.statistic == Approx(-4.0));
  CHECK(std::abs(r.p_value - exact) < 0.01);  // > 7 standard errors
  // Labels need not be 0/1; the smaller label is the first group.
  const auto flipped = st::permutation_test(vec(v), labels({9, 9, 9, -3, -3, -3}), 1000, 1);
  CHECK(flipped.statistic == Approx(4.0));
}

TEST_CASE("permutation_test is deterministic and independent of the thread count", "[stats]") {
  st::Rng rng(11);
  std::vector<double> v(300);
  std::vector<std::int64_t> g(300);
  for (std::size_t i = 0; i < v.size(); ++i) {
    g[i] = static_cast<std::int64_t>(i % 3 == 0);
    v[i] = rng.uniform() + 0.03 * static_cast<double>(g[i]);
  }
  const auto a = st::permutation_test(vec(v), labels(g), 999, 5, 1);
  const auto b = st::permutation_test(vec(v), labels(g), 999, 5, 2);
  const auto c = st::permutation_test(vec(v), labels(g), 999, 5, 7);
  CHECK(a.p_value == b.p_value);
  CHECK(a.p_value == c.p_value);
  CHECK(st::permutation_test(vec(v), labels(g), 999, 6, 2).p_value != a.p_value);
  // p is a multiple of 1/(1 + n_perm) and never 0.
  CHECK(a.p_value * 1000 == Approx(std::round(a.p_value * 1000)));
  CHECK(a.p_value > 0);
}

TEST_CASE("permutation_test rejects bad input", "[stats]") {
  CHECK_THROWS_AS(st::permutation_test(vec({1, 2, 3}), labels({0, 1}), 10, 0), std::invalid_argument);
  CHECK_THROWS_AS(st::permutation_test(vec({1, 2, 3}), labels({0, 1, 2}), 10, 0), std::invalid_argument);
  CHECK_THROWS_AS(st::permutation_test(vec({1, 2, 3}), labels({0, 0, 0}), 10, 0), std::invalid_argument);
  CHECK_THROWS_AS(st::permutation_test(vec({1, NA, 3}), labels({0, 1, 1}), 10, 0), std::invalid_argument);
  CHECK_THROWS_AS(st::permutation_test(vec({1, 2, 3}), labels({0, 1, 1}), 0, 0), std::invalid_argument);
}

TEST_CASE("bootstrap_ci: estimate, determinism, thread independence, clusters", "[stats]") {
  st::Rng rng(2);
  std::vector<double> v(200);
  std::vector<std::int64_t> cl(200);
  for (std::size_t i = 0; i < v.size(); ++i) {
    cl[i] = static_cast<std::int64_t>(i / 20);            // 10 clusters of 20
    v[i] = static_cast<double>(cl[i]) + rng.uniform();    // strong cluster effect
  }
  const st::LabelVector none(0);
  const auto a = st::bootstrap_ci(vec(v), none, 500, 0.9, 3, 1);
  const auto b = st::bootstrap_ci(vec(v), none, 500, 0.9, 3, 3);
  CHECK(a.estimate == Approx(std::accumulate(v.begin(), v.end(), 0.0) / 200.0));
  CHECK(a.low == b.low);
  CHECK(a.high == b.high);
  CHECK((a.low < a.estimate && a.estimate < a.high));
  const auto c1 = st::bootstrap_ci(vec(v), labels(cl), 500, 0.9, 3, 1);
  const auto c2 = st::bootstrap_ci(vec(v), labels(cl), 500, 0.9, 3, 2);
  CHECK(c1.low == c2.low);
  CHECK(c1.high == c2.high);
  // Between-cluster variation dominates, so resampling clusters must give a
  // much wider interval than resampling quotes as if independent.
  CHECK((c1.high - c1.low) > 3 * (a.high - a.low));
  // Identical values: a degenerate interval. One cluster: the same.
  const auto flat = st::bootstrap_ci(vec({2, 2, 2, 2}), none, 50, 0.95, 0);
  CHECK((flat.low == 2.0 && flat.high == 2.0));
  const auto one = st::bootstrap_ci(vec({1, 2, 3}), labels({5, 5, 5}), 50, 0.95, 0);
  CHECK((one.low == Approx(2.0) && one.high == Approx(2.0)));
  CHECK_THROWS_AS(st::bootstrap_ci(vec({1, 2}), labels({1}), 10, 0.9, 0), std::invalid_argument);
  CHECK_THROWS_AS(st::bootstrap_ci(vec({1, 2}), none, 10, 1.0, 0), std::invalid_argument);
  CHECK_THROWS_AS(st::bootstrap_ci(vec({}), none, 10, 0.9, 0), std::invalid_argument);
}

TEST_CASE("quantile_sorted interpolates like numpy's default", "[stats]") {
  const std::vector<double> x{1, 2, 4, 8};
  CHECK(st::quantile_sorted(x, 0.0) == 1.0);
  CHECK(st::quantile_sorted(x, 1.0) == 8.0);
  CHECK(st::quantile_sorted(x, 0.5) == Approx(3.0));   // h = 1.5
  CHECK(st::quantile_sorted(x, 0.25) == Approx(1.75)); // h = 0.75
}

// ---------------------------------------------------------------- wordfish

TEST_CASE("wordfish recovers positions simulated from its own model", "[stats]") {
  const int N = 30, J = 250;
  st::Rng rng(2024);
  auto normal = [&]() {  // Box-Muller
    const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  };
  st::Vector theta(N), alpha(N), psi(J), beta(J);
  for (int i = 0; i < N; ++i) theta[i] = normal();
  for (int i = 0; i < N; ++i) alpha[i] = 0.3 * normal();
  for (int j = 0; j < J; ++j) psi[j] = 0.5 + 0.7 * normal();
  for (int j = 0; j < J; ++j) beta[j] = 0.5 * normal();
  st::RowMatrix y(N, J);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < J; ++j)
      y(i, j) = poisson(rng, std::exp(std::min(alpha[i] + psi[j] + beta[j] * theta[i], 3.5)));
  // Words that never occur carry no information and are rejected: drop them.
  std::vector<int> keep;
  for (int j = 0; j < J; ++j)
    if (y.col(j).sum() > 0) keep.push_back(j);
  st::RowMatrix yk(N, static_cast<Eigen::Index>(keep.size()));
  for (std::size_t t = 0; t < keep.size(); ++t) yk.col(static_cast<Eigen::Index>(t)) = y.col(keep[t]);
  Eigen::Index lo, hi;
  theta.minCoeff(&lo);
  theta.maxCoeff(&hi);

  const auto fit = st::wordfish(yk, lo, hi, 1000, 1e-9, 1.0);
  CHECK(fit.converged);
  CHECK(fit.theta[lo] < fit.theta[hi]);
  CHECK(correlation(fit.theta, theta) > 0.95);
  CHECK(fit.theta.mean() == Approx(0.0).margin(1e-9));
  CHECK(std::sqrt((fit.theta.array() - fit.theta.mean()).square().sum() / (N - 1)) == Approx(1.0));
  CHECK(fit.alpha[0] == 0.0);
  CHECK((fit.theta_se.array() > 0).all());
  CHECK((fit.theta_se.array() < 1).all());
  // Swapping the direction flips the scale.
  const auto flipped = st::wordfish(yk, hi, lo, 1000, 1e-9, 1.0);
  CHECK(correlation(flipped.theta, fit.theta) == Approx(-1.0).margin(1e-6));
  // Words and documents are fitted in parallel blocks; the thread count
  // must not change a single bit.
  const auto one = st::wordfish(yk, lo, hi, 1000, 1e-6, 3.0, 1.0, 1);
  const auto two = st::wordfish(yk, lo, hi, 1000, 1e-6, 3.0, 1.0, 2);
  CHECK(one.theta == two.theta);
  CHECK(one.beta == two.beta);
  CHECK(one.iterations == two.iterations);
}

TEST_CASE("wordfish rejects bad input", "[stats]") {
  const st::RowMatrix ok = matrix(2, 3, {1, 2, 3, 3, 2, 1});
  CHECK_THROWS_AS(st::wordfish(ok, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(st::wordfish(ok, 0, 2), std::invalid_argument);
  CHECK_THROWS_AS(st::wordfish(matrix(2, 3, {1, 2, 3, 0, 0, 0}), 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(st::wordfish(matrix(2, 3, {1, 0, 3, 2, 0, 1}), 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(st::wordfish(matrix(2, 3, {1, -2, 3, 2, 2, 1}), 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(st::wordfish(matrix(1, 3, {1, 2, 3}), 0, 1), std::invalid_argument);
}

// ---------------------------------------------------------------- compare_groups

TEST_CASE("compare_groups: means, effect sizes and p on a hand-worked case", "[stats]") {
  // Group 0: 1 2 3 (mean 2, s^2 = 1); group 1: 4 5 9 (mean 6, s^2 = 7).
  // Pooled s = sqrt((2 * 1 + 2 * 7) / 4) = 2, d = -4 / 2 = -2. Every value of
  // group 0 is below every value of group 1: Cliff's delta = -1.
  // Second feature with ties: 1 2 2 vs 2 3 NaN: pairs (1,2)< (1,3)< (2,2)=
  // (2,3)< (2,2)= (2,3)< give delta = (0 - 4) / 6.
  const st::RowMatrix x = matrix(6, 2, {1, 1, 2, 2, 3, 2, 4, 2, 5, 3, 9, NA});
  st::CompareOptions opt;
  opt.n_boot = 200;
  opt.n_perm = 20000;
  const auto r = st::compare_groups(x, labels({0, 0, 0, 1, 1, 1}), st::LabelVector(0), 2, opt);
  CHECK(r.mean(0, 0) == Approx(2.0));
  CHECK(r.mean(1, 0) == Approx(6.0));
  CHECK(r.mean(1, 1) == Approx(2.5));
  CHECK(r.n(1, 1) == 2);
  CHECK(r.pairs(0, 0) == 0);
  CHECK(r.pairs(0, 1) == 1);
  CHECK(r.diff(0, 0) == Approx(-4.0));
  CHECK(r.cohen_d(0, 0) == Approx(-2.0));
  CHECK(r.cliff_delta(0, 0) == Approx(-1.0));
  CHECK(r.cliff_delta(0, 1) == Approx(-4.0 / 6.0));
  // Every quote is its own cluster: the test is the plain permutation test,
  // whose exact p (2/20, enumerated in the permutation_test case) it must approach.
  CHECK(r.whole_clusters[0] == 6);
  CHECK(r.mixed_clusters[0] == 0);
  CHECK(std::abs(r.p_value(0, 0) - 0.1) < 0.02);
  CHECK((r.ci_low(0, 0) <= 2.0 && 2.0 <= r.ci_high(0, 0)));
  CHECK((r.diff_low(0, 0) <= -4.0 && -4.0 <= r.diff_high(0, 0)));
}

TEST_CASE("compare_groups permutes whole articles when sides never share one", "[stats]") {
  // Six articles, each quoting one side; sizes differ, so the quote-weighted
  // means move when articles are relabelled. Exact p: enumerate the 20 ways to
  // give 3 of the 6 articles to side 0.
  const std::vector<std::vector<double>> article{{1, 2}, {2}, {3, 3, 4}, {5, 6}, {4}, {7, 8, 9}};
  const std::vector<int> side{0, 0, 0, 1, 1, 1};
  std::vector<double> values;
  std::vector<std::int64_t> grp, cl;
  for (std::size_t a = 0; a < article.size(); ++a)
    for (double v : article[a]) {
      values.push_back(v);
      grp.push_back(side[a]);
      cl.push_back(static_cast<std::int64_t>(100 + 7 * a));  // arbitrary labels
    }
  auto diff_for = [&](const std::vector<int>& first) {
    double s0 = 0, n0 = 0, s1 = 0, n1 = 0;
    for (std::size_t a = 0; a < article.size(); ++a) {
      const bool in = std::find(first.begin(), first.end(), static_cast<int>(a)) != first.end();
      for (double v : article[a]) (in ? s0 : s1) += v, (in ? n0 : n1) += 1;
    }
    return s0 / n0 - s1 / n1;
  };
  const double observed = diff_for({0, 1, 2});
  int extreme = 0;
  const auto all = subsets(6, 3);
  for (const auto& s : all)
    if (std::abs(diff_for(s)) >= std::abs(observed) - 1e-12) ++extreme;
  const double exact = static_cast<double>(extreme) / static_cast<double>(all.size());

  st::CompareOptions opt;
  opt.n_boot = 100;
  opt.n_perm = 20000;
  const st::RowMatrix x = Eigen::Map<st::RowMatrix>(values.data(), static_cast<Eigen::Index>(values.size()), 1);
  const auto r = st::compare_groups(x, labels(grp), labels(cl), 2, opt);
  CHECK(r.whole_clusters[0] == 6);
  CHECK(r.mixed_clusters[0] == 0);
  CHECK(r.clusters[0] == 3);
  CHECK(r.diff(0, 0) == Approx(observed));
  CHECK(std::abs(r.p_value(0, 0) - exact) < 0.02);
}

TEST_CASE("compare_groups permutes within articles that quote both sides", "[stats]") {
  // Two articles with two quotes of each side. Within-article relabelling:
  // C(4,2)^2 = 36 equally likely assignments; enumerate them.
  const std::vector<double> v{1, 2, 3, 6, 10, 11, 12, 16};
  const std::vector<std::int64_t> grp{0, 0, 1, 1, 0, 0, 1, 1}, cl{0, 0, 0, 0, 1, 1, 1, 1};
  const double observed = (1 + 2 + 10 + 11) / 4.0 - (3 + 6 + 12 + 16) / 4.0;
  int extreme = 0, total = 0;
  for (const auto& s1 : subsets(4, 2))
    for (const auto& s2 : subsets(4, 2)) {
      double a = 0;
      for (int i : s1) a += v[static_cast<std::size_t>(i)];
      for (int i : s2) a += v[static_cast<std::size_t>(4 + i)];
      const double diff = a / 4.0 - (61.0 - a) / 4.0;
      extreme += std::abs(diff) >= std::abs(observed) - 1e-12;
      ++total;
    }
  const double exact = static_cast<double>(extreme) / total;
  st::CompareOptions opt;
  opt.n_boot = 50;
  opt.n_perm = 20000;
  const st::RowMatrix x = Eigen::Map<const st::RowMatrix>(v.data(), 8, 1);
  const auto r = st::compare_groups(x, labels(grp), labels(cl), 2, opt);
  CHECK(r.mixed_clusters[0] == 2);
  CHECK(r.whole_clusters[0] == 0);
  CHECK(std::abs(r.p_value(0, 0) - exact) < 0.02);
}

TEST_CASE("compare_groups is deterministic by seed and independent of the thread count", "[stats]") {
  const int N = 3000, F = 3;
  st::Rng rng(9);
  st::RowMatrix x(N, F);
  std::vector<std::int64_t> grp(N), cl(N);
  for (int q = 0; q < N; ++q) {
    cl[static_cast<std::size_t>(q)] = q / 25;
    grp[static_cast<std::size_t>(q)] = static_cast<std::int64_t>(rng.below(3));
    for (int f = 0; f < F; ++f) x(q, f) = rng.uniform() + 0.05 * static_cast<double>(grp[static_cast<std::size_t>(q)] * f);
    if (q % 17 == 0) x(q, 1) = NA;  // some missing values
  }
  st::CompareOptions opt;
  opt.n_boot = 300;
  opt.n_perm = 300;
  opt.seed = 4;
  opt.n_threads = 1;
  const auto a = st::compare_groups(x, labels(grp), labels(cl), 3, opt);
  opt.n_threads = 2;
  const auto b = st::compare_groups(x, labels(grp), labels(cl), 3, opt);
  opt.n_threads = 5;
  const auto c = st::compare_groups(x, labels(grp), labels(cl), 3, opt);
  for (const auto* other : {&b, &c}) {
    CHECK(a.ci_low == other->ci_low);
    CHECK(a.ci_high == other->ci_high);
    CHECK(a.diff_low == other->diff_low);
    CHECK(a.p_value == other->p_value);
    CHECK(a.cliff_delta == other->cliff_delta);
  }
  CHECK(a.pairs.rows() == 3);
  CHECK(a.mixed_clusters[0] == 120);
  opt.seed = 5;
  const auto d = st::compare_groups(x, labels(grp), labels(cl), 3, opt);
  CHECK(a.ci_low != d.ci_low);
  CHECK(a.mean == d.mean);
  // Means skip the missing values.
  double s = 0;
  int n = 0;
  for (int q = 0; q < N; ++q)
    if (grp[static_cast<std::size_t>(q)] == 2 && !std::isnan(x(q, 1))) s += x(q, 1), ++n;
  CHECK(a.mean(2, 1) == Approx(s / n));
  CHECK(a.n(2, 1) == n);
}

TEST_CASE("compare_groups rejects bad input", "[stats]") {
  const st::RowMatrix x = matrix(3, 1, {1, 2, 3});
  const st::LabelVector none(0);
  CHECK_THROWS_AS(st::compare_groups(x, labels({0, 1}), none, 2), std::invalid_argument);
  CHECK_THROWS_AS(st::compare_groups(x, labels({0, 1, 1}), labels({0, 1}), 2), std::invalid_argument);
  CHECK_THROWS_AS(st::compare_groups(x, labels({0, 0, 0}), none, 1), std::invalid_argument);
  CHECK_THROWS_AS(st::compare_groups(x, labels({0, 1, 2}), none, 2), std::invalid_argument);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(st::compare_groups(matrix(3, 1, {1, inf, 3}), labels({0, 1, 1}), none, 2),
                  std::invalid_argument);
  st::CompareOptions bad;
  bad.level = 0;
  CHECK_THROWS_AS(st::compare_groups(x, labels({0, 1, 1}), none, 2, bad), std::invalid_argument);
}
