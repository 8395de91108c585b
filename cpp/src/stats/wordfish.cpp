#include "quoteframe/stats/wordfish.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "quoteframe/stats/parallel.hpp"

namespace quoteframe::stats {

namespace {

// One block of the conditional maximisation: the two parameters (a, b) of
//   L(a, b) = sum_k y_k eta_k - exp(eta_k) - penalty b^2 / 2,
//   eta_k = a + b x_k + offset_k,
// over k = 0..m-1, with the other parameters (x, offset) fixed. For a word,
// (a, b) = (psi_j, beta_j), x = theta, offset = alpha; for a document,
// (a, b) = (alpha_i, theta_i), x = beta, offset = psi. y is read with a stride
// (a column of the row-major counts for a word, a row for a document).
class PoissonBlock {
 public:
  PoissonBlock(const double* y, Eigen::Index y_stride, const Vector& x, const Vector& offset,
               double penalty, std::vector<double>& lambda)
      : y_(y), stride_(y_stride), x_(x), offset_(offset), penalty_(penalty), lambda_(lambda) {
    lambda_.resize(static_cast<std::size_t>(x.size()));
  }

  // Newton-Raphson with step halving; `fix_a` keeps a where it is. Every
  // accepted step raises L, so the block never makes the fit worse.
  void maximise(double& a, double& b, bool fix_a, int max_steps) const {
    double current = evaluate(a, b);  // fills lambda_
    for (int step = 0; step < max_steps; ++step) {
      double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
      for (Eigen::Index k = 0; k < x_.size(); ++k) {
        const double lambda = lambda_[static_cast<std::size_t>(k)];
        const double r = y_[k * stride_] - lambda;
        ga += r;
        gb += r * x_[k];
        haa += lambda;
        hab += lambda * x_[k];
        hbb += lambda * x_[k] * x_[k];
      }
      gb -= penalty_ * b;
      hbb += penalty_;
      double da = 0, db = 0;
      if (fix_a) {
        if (!(hbb > 0)) break;
        db = gb / hbb;
      } else {
        const double det = haa * hbb - hab * hab;
        if (!(det > 0)) break;
        da = (hbb * ga - hab * gb) / det;
        db = (haa * gb - hab * ga) / det;
      }
      double t = 1.0, trial = evaluate(a + da, b + db);
      // NaN-safe: halve while the trial is not at least as good.
      for (int h = 0; h < 40 && !(trial >= current); ++h) {
        t *= 0.5;
        trial = evaluate(a + t * da, b + t * db);
      }
      if (!(trial >= current)) break;
      a += t * da;
      b += t * db;
      const double gain = trial - current;
      current = trial;
      if (gain <= 1e-10 * (1.0 + std::abs(current))) break;
    }
  }

 private:
  // L(a, b), leaving exp(eta_k) in lambda_ for the next gradient.
  double evaluate(double a, double b) const {
    double s = 0;
    for (Eigen::Index k = 0; k < x_.size(); ++k) {
      const double eta = a + b * x_[k] + offset_[k];
      const double lambda = std::exp(eta);
      lambda_[static_cast<std::size_t>(k)] = lambda;
      s += y_[k * stride_] * eta - lambda;
    }
    return s - 0.5 * penalty_ * b * b;
  }

  const double* y_;
  Eigen::Index stride_;
  const Vector& x_;
  const Vector& offset_;
  double penalty_;
  std::vector<double>& lambda_;
};

std::pair<double, double> mean_sd(const Vector& v) {
  const double m = v.mean();
  const double sd = std::sqrt((v.array() - m).square().sum() / static_cast<double>(v.size() - 1));
  return {m, sd};
}

}  // namespace

WordfishResult wordfish(const MatrixRef& counts, Eigen::Index dir_i, Eigen::Index dir_j, int max_iter,
                        double tol, double beta_prior_sd, double theta_prior_sd, unsigned n_threads) {
  const Eigen::Index N = counts.rows(), J = counts.cols();
  if (N < 2 || J < 2)
    throw std::invalid_argument("wordfish: need at least 2 documents and 2 words, got " +
                                std::to_string(N) + " x " + std::to_string(J));
  if (dir_i < 0 || dir_i >= N || dir_j < 0 || dir_j >= N || dir_i == dir_j)
    throw std::invalid_argument("wordfish: dir must name two different documents in [0, " +
                                std::to_string(N) + "), got (" + std::to_string(dir_i) + ", " +
                                std::to_string(dir_j) + ")");
  if (max_iter < 1) throw std::invalid_argument("wordfish: max_iter must be >= 1");
  if (!(tol > 0)) throw std::invalid_argument("wordfish: tol must be > 0");
  if (!(beta_prior_sd > 0 && std::isfinite(beta_prior_sd)))
    throw std::invalid_argument("wordfish: beta_prior_sd must be finite and > 0");
  if (!(theta_prior_sd > 0 && std::isfinite(theta_prior_sd)))
    throw std::invalid_argument("wordfish: theta_prior_sd must be finite and > 0");
  for (Eigen::Index i = 0; i < N; ++i)
    for (Eigen::Index j = 0; j < J; ++j)
      if (!(std::isfinite(counts(i, j)) && counts(i, j) >= 0))
        throw std::invalid_argument("wordfish: counts must be finite and >= 0 (document " +
                                    std::to_string(i) + ", word " + std::to_string(j) + ")");
  // A contiguous copy, so rows and columns can be walked with a stride.
  const RowMatrix y = counts;
  const Vector row_total = y.rowwise().sum();
  const Eigen::RowVectorXd col_total = y.colwise().sum();
  for (Eigen::Index i = 0; i < N; ++i)
    if (!(row_total[i] > 0))
      throw std::invalid_argument("wordfish: document " + std::to_string(i) + " has no words");
  for (Eigen::Index j = 0; j < J; ++j)
    if (!(col_total[j] > 0))
      throw std::invalid_argument("wordfish: word " + std::to_string(j) + " occurs in no document");
  const double total = row_total.sum();
  const double beta_penalty = 1.0 / (beta_prior_sd * beta_prior_sd);
  const double theta_penalty = 1.0 / (theta_prior_sd * theta_prior_sd);

  WordfishResult res;
  Vector& alpha = res.alpha;
  Vector& theta = res.theta;
  Vector& psi = res.psi;
  Vector& beta = res.beta;

  // Starting values: the independence model for alpha and psi ...
  alpha = (row_total / row_total[0]).array().log();
  psi = (col_total.transpose() * (row_total[0] / total)).array().log();
  // ... and the leading singular pair of the double-centred log counts for
  // theta and beta (power iteration; rows and columns of r sum to 0).
  RowMatrix r = (y.array() + 0.5).log().matrix();
  const Vector row_mean = r.rowwise().mean();
  const Eigen::RowVectorXd col_mean = r.colwise().mean();
  const double grand = r.mean();
  r.colwise() -= row_mean;
  r.rowwise() -= col_mean;
  r.array() += grand;
  Vector v(N);
  for (Eigen::Index i = 0; i < N; ++i) v[i] = std::sin(1.0 + static_cast<double>(i));
  for (int it = 0; it < 300; ++it) {
    Vector next = r * (r.transpose() * v);
    const double norm = next.norm();
    if (!(norm > 0)) break;
    next /= norm;
    const double change = (next - v).norm();
    v = next;
    if (change < 1e-10) break;
  }
  theta = v;
  std::pair<double, double> ms = mean_sd(theta);
  if (!(ms.second > 0)) {  // no structure at all: any non-constant start will do
    for (Eigen::Index i = 0; i < N; ++i) theta[i] = static_cast<double>(i);
    ms = mean_sd(theta);
  }
  theta = (theta.array() - ms.first) / ms.second;
  beta = r.transpose() * theta / theta.squaredNorm();
  r.resize(0, 0);

  auto log_likelihood = [&]() {
    double s = 0;
    for (Eigen::Index i = 0; i < N; ++i)
      for (Eigen::Index j = 0; j < J; ++j) {
        const double eta = alpha[i] + psi[j] + beta[j] * theta[i];
        s += y(i, j) * eta - std::exp(eta);
      }
    return s - 0.5 * beta_penalty * beta.squaredNorm() - 0.5 * theta_penalty * theta.squaredNorm();
  };

  // Blocks of words / documents per work item; each block's arithmetic is
  // the same whichever thread runs it.
  constexpr Eigen::Index kChunk = 32;
  constexpr int kNewtonSteps = 3;
  const unsigned workers = resolve_threads(n_threads, static_cast<std::size_t>((std::max(N, J) + kChunk - 1) / kChunk));
  std::vector<std::vector<double>> lambda(workers);
  auto chunks = [&](Eigen::Index n) { return static_cast<std::size_t>((n + kChunk - 1) / kChunk); };

  // One sweep of the fixed-point map: words given documents, documents given
  // words, then the moves the likelihood cannot see.
  auto sweep = [&]() {
    parallel_for(chunks(J), workers, [&](std::size_t c, unsigned w) {
      const Eigen::Index end = std::min(J, static_cast<Eigen::Index>(c + 1) * kChunk);
      for (Eigen::Index j = static_cast<Eigen::Index>(c) * kChunk; j < end; ++j) {
        const PoissonBlock word(y.data() + j, J, theta, alpha, beta_penalty, lambda[w]);
        word.maximise(psi[j], beta[j], false, kNewtonSteps);
      }
    });
    parallel_for(chunks(N), workers, [&](std::size_t c, unsigned w) {
      const Eigen::Index end = std::min(N, static_cast<Eigen::Index>(c + 1) * kChunk);
      for (Eigen::Index i = static_cast<Eigen::Index>(c) * kChunk; i < end; ++i) {
        const PoissonBlock doc(y.data() + i * J, 1, beta, psi, theta_penalty, lambda[w]);
        doc.maximise(alpha[i], theta[i], i == 0, kNewtonSteps);
      }
    });
    // Three moves leave every lambda unchanged, so only the priors decide
    // them, and each has a closed-form best value:
    //   shift    theta - m, psi + beta m                        m = mean(theta)
    //   tilt     beta - k, alpha + k (theta - theta_0), psi + k theta_0
    //                                                           k = mean(beta)
    //   stretch  c theta, beta / c    c^4 = (|beta|^2/sd_b^2) / (|theta|^2/sd_t^2)
    // (The tilt is why the model needs a prior on beta at all.) Alternating
    // ascent crawls along these directions; setting them each sweep does not.
    const double m = theta.mean();
    psi += beta * m;
    theta.array() -= m;
    const double k = beta.mean();
    alpha.array() += k * (theta.array() - theta[0]);
    psi.array() += k * theta[0];
    beta.array() -= k;
    const double tt = theta.squaredNorm() * theta_penalty, bb = beta.squaredNorm() * beta_penalty;
    if (tt > 0 && bb > 0) {
      const double c = std::pow(bb / tt, 0.25);
      theta *= c;
      beta /= c;
    }
  };
  // All parameters as one vector (alpha, theta, psi, beta), for SQUAREM.
  auto pack = [&]() {
    Vector x(2 * N + 2 * J);
    x << alpha, theta, psi, beta;
    return x;
  };
  auto unpack = [&](const Vector& x) {
    alpha = x.segment(0, N);
    theta = x.segment(N, N);
    psi = x.segment(2 * N, J);
    beta = x.segment(2 * N + J, J);
  };
  auto standardised = [&]() {
    const std::pair<double, double> s = mean_sd(theta);
    return Vector((theta.array() - s.first) / s.second);
  };

  // SQUAREM (Varadhan & Roland 2008, "Simple and globally convergent methods
  // for accelerating the convergence of any EM algorithm", Scand. J. Stat.
  // 35(2), scheme S3): from x0 take two sweeps x1, x2, jump to
  //   x' = x0 - 2 a r + a^2 v,  r = x1 - x0, v = x2 - 2 x1 + x0,
  //   a = -|r| / |v| (at most -1),
  // and sweep once from x'. If that is not better than x2, keep x2: the
  // objective never decreases.
  double current = log_likelihood();
  Vector previous_position = standardised();
  int sweeps = 0;
  while (sweeps < max_iter) {
    const Vector x0 = pack();
    sweep();
    const Vector x1 = pack();
    sweep();
    const Vector x2 = pack();
    sweeps += 2;
    const double at_x2 = log_likelihood();
    const Vector r = x1 - x0, v = x2 - x1 - r;
    const double vn = v.norm();
    double best = at_x2;
    if (vn > 0 && sweeps < max_iter) {
      const double a = std::min(-1.0, -r.norm() / vn);
      unpack(x0 - 2.0 * a * r + a * a * v);
      sweep();
      ++sweeps;
      const double jumped = log_likelihood();
      if (jumped >= at_x2) {
        best = jumped;
      } else {
        unpack(x2);
      }
    }
    current = best;
    // Converged when the standardised positions stop moving.
    const Vector position = standardised();
    const double moved = (position - previous_position).cwiseAbs().maxCoeff();
    previous_position = position;
    if (moved < tol) {
      res.converged = true;
      break;
    }
  }
  res.iterations = sweeps;
  res.log_likelihood = current;

  // Identification: mean 0, sd 1, without changing any lambda.
  ms = mean_sd(theta);
  if (ms.second > 0) {
    psi += beta * ms.first;
    beta *= ms.second;
    theta = (theta.array() - ms.first) / ms.second;
  }

  res.theta_se.resize(N);
  for (Eigen::Index i = 0; i < N; ++i) {
    double haa = 0, hab = 0, hbb = 0;
    for (Eigen::Index j = 0; j < J; ++j) {
      const double lambda_ij = std::exp(alpha[i] + psi[j] + beta[j] * theta[i]);
      haa += lambda_ij;
      hab += lambda_ij * beta[j];
      hbb += lambda_ij * beta[j] * beta[j];
    }
    const double det = haa * hbb - hab * hab;
    res.theta_se[i] = det > 0 ? std::sqrt(haa / det) : std::numeric_limits<double>::quiet_NaN();
  }
  if (theta[dir_i] > theta[dir_j]) {
    theta = -theta;
    beta = -beta;
  }
  return res;
}

}  // namespace quoteframe::stats
