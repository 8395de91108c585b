#include "quoteframe/stats/divergence.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace quoteframe::stats {

double jensen_shannon(const VectorRef& p, const VectorRef& q) {
  if (p.size() != q.size())
    throw std::invalid_argument("jensen_shannon: p and q differ in length (" +
                                std::to_string(p.size()) + " and " + std::to_string(q.size()) + ")");
  if (p.size() == 0) throw std::invalid_argument("jensen_shannon: p and q are empty");
  for (Eigen::Index i = 0; i < p.size(); ++i)
    if (!(std::isfinite(p[i]) && p[i] >= 0 && std::isfinite(q[i]) && q[i] >= 0))
      throw std::invalid_argument("jensen_shannon: weights must be finite and >= 0 (position " +
                                  std::to_string(i) + ")");
  const double sp = p.sum(), sq = q.sum();
  if (!(sp > 0) || !(sq > 0)) throw std::invalid_argument("jensen_shannon: a vector sums to 0");
  double js = 0.0;
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    const double a = p[i] / sp, b = q[i] / sq, m = 0.5 * (a + b);
    if (a > 0) js += 0.5 * a * std::log2(a / m);
    if (b > 0) js += 0.5 * b * std::log2(b / m);
  }
  // Rounding can leave tiny excursions outside the mathematical range.
  return std::clamp(js, 0.0, 1.0);
}

}  // namespace quoteframe::stats
