#include "quoteframe/stats/multiple_testing.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace quoteframe::stats {

Vector benjamini_hochberg(const VectorRef& p) {
  const Eigen::Index size = p.size();
  Vector q = Vector::Constant(size, std::nan(""));
  std::vector<Eigen::Index> order;
  order.reserve(static_cast<std::size_t>(size));
  for (Eigen::Index i = 0; i < size; ++i) {
    if (std::isnan(p[i])) continue;
    if (!(p[i] >= 0.0 && p[i] <= 1.0))
      throw std::invalid_argument("benjamini_hochberg: p-value " + std::to_string(p[i]) +
                                  " at position " + std::to_string(i) + " is outside [0, 1]");
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index x, Eigen::Index y) { return p[x] < p[y]; });
  const double m = static_cast<double>(order.size());
  // Step up from the largest p: running minimum of m p_(j) / j.
  double running = 1.0;
  for (std::size_t r = order.size(); r-- > 0;) {
    const Eigen::Index i = order[r];
    running = std::min(running, m * p[i] / static_cast<double>(r + 1));
    q[i] = running;
  }
  return q;
}

}  // namespace quoteframe::stats
