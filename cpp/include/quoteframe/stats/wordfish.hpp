// Wordfish: one-dimensional positions of documents (or of sides, outlets,
// speakers) from their word counts alone.
#pragma once

#include "quoteframe/stats/types.hpp"

namespace quoteframe::stats {

struct WordfishResult {
  Vector theta;     // document positions (mean 0, sd 1), one per row of counts
  Vector theta_se;  // standard errors of theta (see below)
  Vector alpha;     // document fixed effects, alpha[0] = 0
  Vector psi;       // word fixed effects, one per column of counts
  Vector beta;      // word weights (discrimination), one per column
  double log_likelihood = 0;  // penalised (both priors), without the constant -sum log(y!)
  int iterations = 0;
  bool converged = false;
};

// The Poisson scaling model of Slapin & Proksch (2008, "A Scaling Model for
// Estimating Time-Series Party Positions from Texts", AJPS 52(3)):
//   y_ij ~ Poisson(lambda_ij),  log lambda_ij = alpha_i + psi_j + beta_j theta_i,
// for document i and word j.
//
// counts: documents x words, finite, >= 0; every document and every word must
//         have a positive total (drop empty rows and columns first).
// dir_i, dir_j: two different documents; the sign of the scale is chosen so
//         that theta[dir_i] < theta[dir_j].
// max_iter, tol: stop when no standardised position theta_i moves by tol or
//         more in one accelerated step (below), or after max_iter sweeps
//         (then `converged` is false). `iterations` counts sweeps.
// beta_prior_sd: sd of the N(0, sd^2) ridge prior on each beta_j; the
//         penalty sum_j beta_j^2 / (2 sd^2) keeps rare words from running off
//         to infinity. 3 by default, the sigma of Lowe's austin::wordfish and
//         the beta entry of quanteda's textmodel_wordfish priors = c(Inf,
//         Inf, 3, 1) (alpha, psi, beta, theta).
// theta_prior_sd: sd of the N(0, sd^2) prior on each theta_i during the fit
//         (1 by default, as the theta entry of quanteda's priors). Why: the
//         likelihood cannot tell (theta, beta) from (c theta, beta / c), so
//         with a prior on beta alone stretching theta always pays and the
//         penalised likelihood has no maximum; rescaling theta after every
//         sweep then fights the ascent. With both priors the objective is
//         bounded, every step ascends, and theta is standardised once at
//         the end. The prior sets the scale of the fit, not the ordering.
// n_threads: words (then documents) are fitted in parallel blocks; 0 = all
//         hardware threads. The result does not depend on it.
//
// Identification: alpha_0 = 0; after convergence theta is standardised to
// mean 0 and sd 1 (the n - 1 denominator, as R's sd()), with beta and psi
// adjusted so that every lambda stays the same.
//
// Estimation: starting values from the leading singular vector of the
// double-centred log(counts + 0.5); then alternating conditional
// maximisation. One sweep fits each word's (psi_j, beta_j) given the
// documents, then each document's (alpha_i, theta_i) given the words, by up
// to three Newton-Raphson steps on the two-parameter penalised Poisson
// log-likelihood with step halving; it then sets the three moves that leave
// every lambda unchanged (shift and stretch of theta, and the tilt
// beta_j - k, alpha_i + k (theta_i - theta_0)) to their closed-form best
// values under the priors. Sweeps are accelerated with SQUAREM (Varadhan &
// Roland 2008, Scand. J. Stat. 35(2)): two sweeps, an extrapolated jump, one
// sweep from there, kept only if the objective improved; the penalised
// log-likelihood never decreases.
// Standard errors: theta_se[i] = sqrt([H_i^-1]_{theta theta}), H_i the
// information matrix of (alpha_i, theta_i) with the word parameters held
// fixed, sum_j lambda_ij [[1, beta_j], [beta_j, beta_j^2]] (as Slapin &
// Proksch and quanteda). They ignore the uncertainty of the word parameters
// and are therefore too small; use a parametric bootstrap when it matters.
//
// Throws std::invalid_argument for fewer than 2 documents or 2 words, a
// negative or non-finite count, an empty document or word, dir_i == dir_j or
// out of range, max_iter < 1, tol <= 0, or a prior sd that is not finite
// and > 0.
WordfishResult wordfish(const MatrixRef& counts, Eigen::Index dir_i = 0, Eigen::Index dir_j = 1,
                        int max_iter = 1000, double tol = 1e-6, double beta_prior_sd = 3.0,
                        double theta_prior_sd = 1.0, unsigned n_threads = 0);

}  // namespace quoteframe::stats
