// Everything in quoteframe::stats, for callers that want all of it.
#pragma once

#include "quoteframe/stats/agreement.hpp"
#include "quoteframe/stats/compare.hpp"
#include "quoteframe/stats/divergence.hpp"
#include "quoteframe/stats/log_odds.hpp"
#include "quoteframe/stats/multiple_testing.hpp"
#include "quoteframe/stats/random.hpp"
#include "quoteframe/stats/resampling.hpp"
#include "quoteframe/stats/types.hpp"
#include "quoteframe/stats/wordfish.hpp"
