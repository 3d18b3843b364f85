#pragma once
// Exact (Clopper-Pearson) one-sided confidence bounds on a binomial probability, for
// statistical claims that must not fail by chance: a claim "p <= bound" is rejected only
// when even the lower confidence bound of p exceeds it, which happens with probability at
// most 1 - confidence when the claim is true, whatever the seed.

#include <cstdint>

namespace copyproof::ssm_bounds {

// The largest p_low with P(X >= hits | trials, p_low) <= 1 - confidence, i.e. the
// (1 - confidence) quantile of Beta(hits, trials - hits + 1); 0 when hits = 0.
// Requires hits <= trials, trials >= 1, confidence in (0, 1). Boost.Math's ibeta_inv.
double clopper_pearson_lower(std::uint64_t hits, std::uint64_t trials, double confidence);

// The smallest p_high with P(X <= hits | trials, p_high) <= 1 - confidence: the
// `confidence` quantile of Beta(hits + 1, trials - hits); 1 when hits = trials.
double clopper_pearson_upper(std::uint64_t hits, std::uint64_t trials, double confidence);

// Whether `hits` out of `trials` refute "p <= bound" at `confidence`: the one-sided lower
// bound on p exceeds it. A true claim is refuted with probability at most 1 - confidence.
bool refutes_upper_bound(std::uint64_t hits, std::uint64_t trials, double bound, double confidence);

}  // namespace copyproof::ssm_bounds
