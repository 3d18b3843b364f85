#include "copyproof/ssm_bounds/transformer_side.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace copyproof::ssm_bounds {
namespace {

// Smallest n >= 1 with numerator(n) * q <= p * D^n for eps = p / q; numerator(n) is
// non-increasing in n and D^n grows, so the first n that passes is the answer.
template <class Count>
int smallest_ngram(int alphabet, const cpp_rational& epsilon, Count count_for) {
  if (alphabet < 2) throw std::invalid_argument("alphabet must be >= 2");
  if (epsilon <= 0 || epsilon >= 1) throw std::invalid_argument("epsilon must be in (0, 1)");
  const cpp_int p = boost::multiprecision::numerator(epsilon);
  const cpp_int q = boost::multiprecision::denominator(epsilon);
  cpp_int alphabet_power = alphabet;
  for (int n = 1; n < std::numeric_limits<int>::max(); ++n, alphabet_power *= alphabet)
    if (count_for(n) * q <= p * alphabet_power) return n;
  throw std::overflow_error("no n-gram size fits in int");
}

}  // namespace

int min_ngram_pairs_form(int alphabet, const cpp_int& length, const cpp_rational& epsilon) {
  return smallest_ngram(alphabet, epsilon, [&](int n) {
    cpp_int positions = length;  // L - n + 1 start positions
    positions -= n - 1;
    return pairs(positions);
  });
}

int min_ngram_paper_form(int alphabet, const cpp_int& length, const cpp_rational& epsilon) {
  return smallest_ngram(alphabet, epsilon, [&](int) { return cpp_int(length * length); });
}

TransformerSide transformer_side(int alphabet, const cpp_int& length, const cpp_rational& epsilon) {
  TransformerSide side;
  side.ngram = min_ngram_pairs_form(alphabet, length, epsilon);
  side.ngram_paper = min_ngram_paper_form(alphabet, length, epsilon);
  try {
    side.shape = construction::copy_transformer_shape(alphabet, side.ngram);
    side.parameters = construction::copy_parameters(alphabet, side.ngram, static_cast<std::int64_t>(length));
  } catch (const std::invalid_argument& e) {
    side.shape.reset();
    side.parameters.reset();
    side.unavailable_reason = e.what();
    return side;
  }
  side.lambda_bits = static_cast<int>(std::ceil(2.0 * side.parameters->lambda / std::log(2.0)));
  side.kv_numbers_at_copy = length;
  side.kv_numbers_at_copy += 2;  // BOS x_1..x_L COPY
  side.kv_numbers_at_copy *= side.shape->kv_numbers_per_token;
  return side;
}

}  // namespace copyproof::ssm_bounds
