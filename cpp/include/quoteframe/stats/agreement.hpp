// Inter-coder agreement: Krippendorff's alpha and Cohen's kappa.
//
// Used to check the tool's codes against human coders (and coders against
// each other) before any framing comparison is trusted.
#pragma once

#include <string_view>

#include "quoteframe/stats/types.hpp"

namespace quoteframe::stats {

// The level of measurement of the coded values; it chooses the difference
// function delta(c, k) of Krippendorff's alpha.
enum class Level {
  kNominal,   // delta^2 = 0 if c == k else 1
  kOrdinal,   // delta^2 = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, on ranks of the values
  kInterval,  // delta^2 = (c - k)^2
  kRatio,     // delta^2 = ((c - k) / (c + k))^2, values must be >= 0
};

// "nominal", "ordinal", "interval" or "ratio" (lower case).
// Throws std::invalid_argument for any other name.
Level parse_level(std::string_view name);

// Krippendorff's alpha for a coders x units matrix (`data(i, u)` is the value
// coder i gave unit u; NaN marks a missing value). Any number of coders,
// missing values anywhere; units with fewer than two values are not pairable
// and are ignored.
//
// Coincidence-matrix formulation (Krippendorff 2011, "Computing
// Krippendorff's alpha-reliability", Annenberg School for Communication):
//   m_u  = number of values in unit u (only units with m_u >= 2 count),
//   o_ck = sum_u (number of ordered pairs (c, k) of values from different
//          coders in unit u) / (m_u - 1),
//   n_c  = sum_k o_ck,  n = sum_c n_c (the number of pairable values),
//   D_o  = sum_{c,k} o_ck delta^2(c, k) / n,
//   D_e  = sum_{c,k} n_c n_k delta^2(c, k) / (n (n - 1)),
//   alpha = 1 - D_o / D_e.
// For the ordinal level the values are replaced by their rank among the
// distinct pairable values and n_g is the frequency of the g-th value.
//
// Returns NaN when D_e = 0 (every pairable value is the same, so agreement
// cannot be told from chance; Krippendorff leaves alpha undefined there).
// Throws std::invalid_argument when no unit has two values, when a value is
// infinite, or when a ratio-level value is negative.
double krippendorff_alpha(const MatrixRef& data, Level level);
double krippendorff_alpha(const MatrixRef& data, std::string_view level);

// Cohen's kappa between two coders' nominal labels over the same units:
//   kappa = (p_o - p_e) / (1 - p_e),
//   p_o = share of units with equal labels,
//   p_e = sum_c p_a(c) p_b(c), the agreement expected from the marginals.
// Labels are compared as exact doubles (encode categories as integers).
// Units where either label is NaN are dropped. (Cohen 1960, "A coefficient of
// agreement for nominal scales", Educ. Psychol. Meas. 20(1).)
//
// Returns NaN when p_e = 1 (both coders used one and the same label).
// Throws std::invalid_argument when the lengths differ, when no unit has two
// labels, or when a label is infinite.
double cohen_kappa(const VectorRef& a, const VectorRef& b);

}  // namespace quoteframe::stats
