#include "copyproof/construction/copy_parameters.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "copyproof/construction/codes.hpp"
#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

double layer1_slope(int ngram, double eps) { return std::log(2.0 * ngram / eps); }

double separator_bonus(int ngram, double alpha) { return alpha * (ngram + 1); }

double layer1_error_bound(int ngram, double alpha, double beta) {
  return 2.0 * ngram * std::exp(-std::min(alpha, beta - alpha * ngram));
}

double bos_penalty(int ngram, int code_bits) { return static_cast<double>(ngram) * code_bits; }

double layer2_score_perturbation(int ngram, int code_bits, double eps) {
  return static_cast<double>(ngram) * code_bits * (2.0 * eps + eps * eps);
}

double layer2_scale(std::int64_t keys, int code_bits, double eta) {
  if (!(eta < 1.0)) throw std::invalid_argument("layer2_scale: layer-1 error too large for a score gap");
  const double others = static_cast<double>(std::max<std::int64_t>(keys - 1, 1));
  return std::log(2.0 * code_bits * others) / (2.0 * (1.0 - eta));
}

double argmax_match_mass_threshold() { return 0.5; }

double sufficient_match_mass(int code_bits) { return code_bits / (code_bits + 1.0); }

double match_mass_floor(std::int64_t keys, double lambda, double eta) {
  const double others = static_cast<double>(std::max<std::int64_t>(keys - 1, 0));
  return 1.0 / (1.0 + others * std::exp(-2.0 * lambda * (1.0 - eta)));
}

CopyParameters copy_parameters(int alphabet, int ngram, std::int64_t max_length, double lambda_scale) {
  if (alphabet < 2 || alphabet > kMaxAlphabet) throw std::invalid_argument("alphabet must be in [2, 65536]");
  if (ngram < 1) throw std::invalid_argument("ngram must be >= 1");
  if (max_length < 1) throw std::invalid_argument("max_length must be >= 1");
  if (!(lambda_scale > 0.0 && lambda_scale <= 1.0)) throw std::invalid_argument("lambda_scale must be in (0, 1]");
  CopyParameters p;
  p.alphabet = alphabet;
  p.ngram = ngram;
  p.max_length = max_length;
  p.code_bits = code_bits(alphabet);
  p.alpha = layer1_slope(ngram, kLayer1ErrorTarget);
  p.beta = separator_bonus(ngram, p.alpha);
  p.layer1_error_bound = layer1_error_bound(ngram, p.alpha, p.beta);
  p.bos_penalty = bos_penalty(ngram, p.code_bits);
  p.score_perturbation = layer2_score_perturbation(ngram, p.code_bits, p.layer1_error_bound);
  const std::int64_t keys = layer2_keys(max_length);
  p.lambda_scale = lambda_scale;
  p.lambda = lambda_scale * layer2_scale(keys, p.code_bits, p.score_perturbation);
  p.match_mass_floor = match_mass_floor(keys, p.lambda, p.score_perturbation);
  p.argmax_threshold = argmax_match_mass_threshold();
  p.sufficient_match_mass = sufficient_match_mass(p.code_bits);
  return p;
}

}  // namespace copyproof::construction
