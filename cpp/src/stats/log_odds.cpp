#include "quoteframe/stats/log_odds.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace quoteframe::stats {

LogOddsResult log_odds_z(const MatrixRef& counts, const VectorRef& prior) {
  const Eigen::Index G = counts.rows(), W = counts.cols();
  if (G < 2)
    throw std::invalid_argument("log_odds_z: need at least 2 groups (rows of counts), got " +
                                std::to_string(G));
  if (W < 2)
    throw std::invalid_argument("log_odds_z: need at least 2 terms (columns of counts), got " +
                                std::to_string(W));
  if (prior.size() != W)
    throw std::invalid_argument("log_odds_z: prior has " + std::to_string(prior.size()) +
                                " pseudo-counts but counts has " + std::to_string(W) + " terms");
  for (Eigen::Index w = 0; w < W; ++w)
    if (!(std::isfinite(prior[w]) && prior[w] > 0))
      throw std::invalid_argument("log_odds_z: prior pseudo-counts must be finite and > 0 (term " +
                                  std::to_string(w) + ")");
  for (Eigen::Index g = 0; g < G; ++g)
    for (Eigen::Index w = 0; w < W; ++w)
      if (!(std::isfinite(counts(g, w)) && counts(g, w) >= 0))
        throw std::invalid_argument("log_odds_z: counts must be finite and >= 0 (group " +
                                    std::to_string(g) + ", term " + std::to_string(w) + ")");

  const Eigen::RowVectorXd total_by_term = counts.colwise().sum();
  const double total = total_by_term.sum();
  const double a0 = prior.sum();
  LogOddsResult out{RowMatrix(G, W), RowMatrix(G, W)};
  for (Eigen::Index g = 0; g < G; ++g) {
    const double n = counts.row(g).sum();
    const double n_rest = total - n;
    for (Eigen::Index w = 0; w < W; ++w) {
      const double a = prior[w];
      const double y = counts(g, w);
      const double y_rest = total_by_term[w] - y;
      // Both denominators are sums over the other terms of (count + prior) > 0.
      const double d = std::log((y + a) / (n + a0 - y - a)) -
                       std::log((y_rest + a) / (n_rest + a0 - y_rest - a));
      const double var = 1.0 / (y + a) + 1.0 / (y_rest + a);
      out.delta(g, w) = d;
      out.z(g, w) = d / std::sqrt(var);
    }
  }
  return out;
}

}  // namespace quoteframe::stats
