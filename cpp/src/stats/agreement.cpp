#include "quoteframe/stats/agreement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace quoteframe::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The squared difference between distinct values number c and k (indices into
// the sorted distinct values), for one level of measurement.
class Metric {
 public:
  Metric(Level level, const std::vector<double>& values, const std::vector<double>& freq)
      : level_(level), values_(values), freq_(freq), cum_(freq.size() + 1, 0.0) {
    for (std::size_t g = 0; g < freq.size(); ++g) cum_[g + 1] = cum_[g] + freq[g];
  }

  double operator()(std::size_t c, std::size_t k) const {
    if (c == k) return 0.0;
    switch (level_) {
      case Level::kNominal:
        return 1.0;
      case Level::kInterval: {
        const double d = values_[c] - values_[k];
        return d * d;
      }
      case Level::kRatio: {
        const double d = (values_[c] - values_[k]) / (values_[c] + values_[k]);
        return d * d;
      }
      case Level::kOrdinal: {
        const std::size_t lo = std::min(c, k), hi = std::max(c, k);
        const double d = cum_[hi + 1] - cum_[lo] - 0.5 * (freq_[lo] + freq_[hi]);
        return d * d;
      }
    }
    return 0.0;
  }

 private:
  Level level_;
  const std::vector<double>& values_;
  const std::vector<double>& freq_;
  std::vector<double> cum_;  // cum_[g] = n_0 + ... + n_{g-1}
};

}  // namespace

Level parse_level(std::string_view name) {
  if (name == "nominal") return Level::kNominal;
  if (name == "ordinal") return Level::kOrdinal;
  if (name == "interval") return Level::kInterval;
  if (name == "ratio") return Level::kRatio;
  throw std::invalid_argument("krippendorff_alpha: unknown level '" + std::string(name) +
                              "' (expected nominal, ordinal, interval or ratio)");
}

double krippendorff_alpha(const MatrixRef& data, std::string_view level) {
  return krippendorff_alpha(data, parse_level(level));
}

double krippendorff_alpha(const MatrixRef& data, Level level) {
  const Eigen::Index coders = data.rows(), units = data.cols();
  // Pairable values, unit by unit (offsets into one flat array).
  std::vector<double> flat;
  std::vector<std::size_t> offset{0};
  std::vector<double> unit;
  for (Eigen::Index u = 0; u < units; ++u) {
    unit.clear();
    for (Eigen::Index i = 0; i < coders; ++i) {
      const double v = data(i, u);
      if (std::isnan(v)) continue;
      if (!std::isfinite(v))
        throw std::invalid_argument("krippendorff_alpha: infinite value at coder " +
                                    std::to_string(i) + ", unit " + std::to_string(u));
      if (level == Level::kRatio && v < 0)
        throw std::invalid_argument("krippendorff_alpha: ratio-level values must be >= 0 (coder " +
                                    std::to_string(i) + ", unit " + std::to_string(u) + ")");
      unit.push_back(v);
    }
    if (unit.size() < 2) continue;
    flat.insert(flat.end(), unit.begin(), unit.end());
    offset.push_back(flat.size());
  }
  if (flat.empty())
    throw std::invalid_argument(
        "krippendorff_alpha: no unit has values from two or more coders (data is coders x units)");

  // Distinct values and their frequencies n_c among pairable values.
  std::vector<double> values(flat);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  auto index_of = [&](double v) {
    return static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), v) -
                                    values.begin());
  };
  std::vector<std::size_t> code(flat.size());
  std::vector<double> freq(values.size(), 0.0);
  for (std::size_t t = 0; t < flat.size(); ++t) {
    code[t] = index_of(flat[t]);
    freq[code[t]] += 1.0;
  }
  const double n = static_cast<double>(flat.size());
  const Metric delta2(level, values, freq);

  // Observed: sum over units of (sum over ordered pairs of delta^2) / (m_u - 1).
  double observed = 0.0;
  for (std::size_t u = 0; u + 1 < offset.size(); ++u) {
    const std::size_t b = offset[u], e = offset[u + 1];
    double s = 0.0;
    for (std::size_t x = b; x < e; ++x)
      for (std::size_t y = x + 1; y < e; ++y) s += 2.0 * delta2(code[x], code[y]);
    observed += s / static_cast<double>(e - b - 1);
  }

  // Expected: sum_{c,k} n_c n_k delta^2(c, k). Closed forms where they exist,
  // so continuous data with many distinct values stays linear.
  double expected = 0.0;
  const std::size_t V = values.size();
  if (level == Level::kNominal) {
    double sq = 0.0;
    for (double f : freq) sq += f * f;
    expected = n * n - sq;
  } else if (level == Level::kInterval) {
    // Centre first: sum n_c n_k (c - k)^2 = 2 n sum n_c (c - mean)^2.
    double mean = 0.0;
    for (std::size_t c = 0; c < V; ++c) mean += freq[c] * values[c];
    mean /= n;
    double ss = 0.0;
    for (std::size_t c = 0; c < V; ++c) ss += freq[c] * (values[c] - mean) * (values[c] - mean);
    expected = 2.0 * n * ss;
  } else {
    for (std::size_t c = 0; c < V; ++c)
      for (std::size_t k = c + 1; k < V; ++k) expected += 2.0 * freq[c] * freq[k] * delta2(c, k);
  }
  if (!(expected > 0.0)) return kNaN;
  // alpha = 1 - D_o / D_e with D_o = observed / n and D_e = expected / (n (n - 1)).
  return 1.0 - (n - 1.0) * observed / expected;
}

double cohen_kappa(const VectorRef& a, const VectorRef& b) {
  if (a.size() != b.size())
    throw std::invalid_argument("cohen_kappa: the two label vectors differ in length (" +
                                std::to_string(a.size()) + " and " + std::to_string(b.size()) + ")");
  std::vector<double> la, lb;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) continue;
    if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
      throw std::invalid_argument("cohen_kappa: infinite label at unit " + std::to_string(i));
    la.push_back(a[i]);
    lb.push_back(b[i]);
  }
  if (la.empty()) throw std::invalid_argument("cohen_kappa: no unit has labels from both coders");
  std::vector<double> cats(la);
  cats.insert(cats.end(), lb.begin(), lb.end());
  std::sort(cats.begin(), cats.end());
  cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
  auto index_of = [&](double v) {
    return static_cast<std::size_t>(std::lower_bound(cats.begin(), cats.end(), v) - cats.begin());
  };
  std::vector<double> ma(cats.size(), 0.0), mb(cats.size(), 0.0);
  double agree = 0.0;
  for (std::size_t i = 0; i < la.size(); ++i) {
    ma[index_of(la[i])] += 1.0;
    mb[index_of(lb[i])] += 1.0;
    if (la[i] == lb[i]) agree += 1.0;
  }
  const double n = static_cast<double>(la.size());
  double pe = 0.0;
  for (std::size_t c = 0; c < cats.size(); ++c) pe += (ma[c] / n) * (mb[c] / n);
  const double po = agree / n;
  if (pe >= 1.0) return kNaN;
  return (po - pe) / (1.0 - pe);
}

}  // namespace quoteframe::stats
