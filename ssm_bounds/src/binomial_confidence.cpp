#include "copyproof/ssm_bounds/binomial_confidence.hpp"

#include <boost/math/special_functions/beta.hpp>

#include <stdexcept>

namespace copyproof::ssm_bounds {
namespace {

void check(std::uint64_t hits, std::uint64_t trials, double confidence) {
  if (trials == 0 || hits > trials)
    throw std::invalid_argument("binomial bound: need 0 <= hits <= trials, trials >= 1");
  if (!(confidence > 0 && confidence < 1)) throw std::invalid_argument("binomial bound: confidence must be in (0, 1)");
}

}  // namespace

double clopper_pearson_lower(std::uint64_t hits, std::uint64_t trials, double confidence) {
  check(hits, trials, confidence);
  if (hits == 0) return 0.0;
  return boost::math::ibeta_inv(static_cast<double>(hits), static_cast<double>(trials - hits + 1), 1 - confidence);
}

double clopper_pearson_upper(std::uint64_t hits, std::uint64_t trials, double confidence) {
  check(hits, trials, confidence);
  if (hits == trials) return 1.0;
  return boost::math::ibeta_inv(static_cast<double>(hits + 1), static_cast<double>(trials - hits), confidence);
}

bool refutes_upper_bound(std::uint64_t hits, std::uint64_t trials, double bound, double confidence) {
  return clopper_pearson_lower(hits, trials, confidence) > bound;
}

}  // namespace copyproof::ssm_bounds
