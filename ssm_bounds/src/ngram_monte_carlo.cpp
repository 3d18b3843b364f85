// Monte Carlo estimate of p_ngram with a Wilson 95% interval.

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "copyproof/common/random.hpp"
#include "copyproof/ssm_bounds/ngram_probability.hpp"
#include "copyproof/ssm_bounds/ngram_repeat_detector.hpp"

namespace copyproof::ssm_bounds {
namespace {

bool sample_has_repeat(const NgramQuery& q, Rng rng, NgramRepeatDetector& detector) {
  detector.reset();
  for (std::int64_t i = 0; i < q.length; ++i)
    if (detector.push(static_cast<std::uint16_t>(rng.below(static_cast<std::uint64_t>(q.alphabet))))) return true;
  return false;
}

}  // namespace

std::pair<double, double> wilson_interval_95(std::uint64_t hits, std::uint64_t samples) {
  if (samples == 0) throw std::invalid_argument("Wilson interval needs samples > 0");
  const double z = boost::math::quantile(boost::math::normal_distribution<double>(), 0.975);
  const double n = static_cast<double>(samples);
  const double p = static_cast<double>(hits) / n;
  const double z2 = z * z;
  const double center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

NgramEstimate estimate_ngram_probability(const NgramQuery& q, std::uint64_t samples, std::uint64_t seed, int threads,
                                         const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  if (q.alphabet < 2 || q.alphabet > 65536 || q.ngram < 1 || q.length < 1 || samples == 0)
    throw std::invalid_argument("need 2 <= D <= 65536, n >= 1, L >= 1, samples >= 1");
  if (q.length > std::int64_t{1} << 32) throw std::invalid_argument("Monte Carlo needs L <= 2^32");
  constexpr std::uint64_t kBlock = 1024;  // samples between progress reports
  std::uint64_t hits = 0;
  for (std::uint64_t first = 0; first < samples; first += kBlock) {
    const auto last = static_cast<std::int64_t>(std::min(samples, first + kBlock));
    std::uint64_t block_hits = 0;
#pragma omp parallel num_threads(threads) reduction(+ : block_hits)
    {
      NgramRepeatDetector detector(q.alphabet, q.ngram, q.length);
#pragma omp for schedule(static)
      for (std::int64_t i = static_cast<std::int64_t>(first); i < last; ++i)
        if (sample_has_repeat(q, Rng::stream(seed, static_cast<std::uint64_t>(i)), detector)) ++block_hits;
    }
    hits += block_hits;
    if (progress) progress(static_cast<std::uint64_t>(last), samples);
  }
  NgramEstimate estimate;
  estimate.samples = samples;
  estimate.hits = hits;
  estimate.seed = seed;
  estimate.probability = static_cast<double>(hits) / static_cast<double>(samples);
  std::tie(estimate.ci_low, estimate.ci_high) = wilson_interval_95(hits, samples);
  return estimate;
}

}  // namespace copyproof::ssm_bounds
