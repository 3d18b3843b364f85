#include "copyproof/ssm_bounds/copy_error_bound.hpp"

#include <boost/multiprecision/integer.hpp>

#include <stdexcept>

#include "copyproof/ssm_bounds/decimal_format.hpp"

namespace copyproof::ssm_bounds {
namespace {

void check_sizes(int alphabet, const cpp_int& length) {
  if (alphabet < 2) throw std::invalid_argument("alphabet must be >= 2");
  if (length < 1) throw std::invalid_argument("length must be >= 1");
}

Log2Number length_times_log2_alphabet(int alphabet, const cpp_int& length) {
  return Log2Number::log2_of(cpp_int(alphabet)).times(length);
}

// log2(1 - eps) for eps in (0, 1).
Log2Number log2_one_minus(const cpp_rational& epsilon) {
  if (epsilon <= 0 || epsilon >= 1) throw std::invalid_argument("epsilon must be in (0, 1)");
  return Log2Number::log2_of(cpp_rational(1 - epsilon));
}

}  // namespace

CopyErrorBound copy_error_lower_bound(const StateSize& states, int alphabet, const cpp_int& length) {
  check_sizes(alphabet, length);
  CopyErrorBound bound;
  bound.log2_ratio = states.log2_states - length_times_log2_alphabet(alphabet, length);
  bound.vacuous = bound.log2_ratio.sign() >= 0;
  bound.exceeds_half = (bound.log2_ratio + Log2Number::rational(1)).sign() <= 0;  // |S|/D^L <= 1/2
  bound.corollary_2_8 = (bound.log2_ratio + Log2Number::rational(1)).sign() < 0;  // mem < L log2 D - 1

  if (bound.vacuous) {
    bound.exact_value = cpp_rational(0);
    bound.exact_form = "0";
    bound.decimal = "0";
    bound.copyable_fraction = "1";
    return bound;
  }
  // 1 - |S|/D^L exactly whenever |S|/D^L = 2^log2_ratio is a rational small enough to write out.
  if (const auto ratio = bound.log2_ratio.exact_power_of_two(kExactWriteOutBits)) bound.exact_value = 1 - *ratio;
  if (bound.exact_value) {
    bound.exact_form = to_string(*bound.exact_value);
    bound.decimal = format_rational(*bound.exact_value, kBoundDigits, Rounding::down);
    bound.copyable_fraction = format_rational(1 - *bound.exact_value, kBoundDigits, Rounding::up);
    return bound;
  }
  if (bound.log2_ratio.is_rational()) {
    const cpp_rational& r = bound.log2_ratio.rational_part();
    const bool whole = boost::multiprecision::denominator(r) == 1;
    bound.exact_form = "1 - 2^" + (whole ? to_string(r) : "(" + to_string(r) + ")");
  } else {
    bound.exact_form = "1 - " + states.text + " / " + std::to_string(alphabet) + "^" + length.str();
  }
  bound.decimal = format_one_minus_power_of_two(bound.log2_ratio, kBoundDigits, Rounding::down);
  bound.copyable_fraction = format_power_of_two(bound.log2_ratio, kBoundDigits, Rounding::up);
  return bound;
}

cpp_int max_copy_length(const StateSize& states, int alphabet, const cpp_rational& epsilon) {
  if (alphabet < 2) throw std::invalid_argument("alphabet must be >= 2");
  const Log2Number log2_alphabet = Log2Number::log2_of(cpp_int(alphabet));
  // err <= eps possible at L  <=>  1 - |S|/D^L < eps  <=>  log2|S| - log2(1 - eps) - L log2 D > 0.
  const Log2Number budget = states.log2_states - log2_one_minus(epsilon);
  const auto possible = [&](const cpp_int& L) { return (budget - log2_alphabet.times(L)).sign() > 0; };
  // Start from the 100-digit estimate and settle the exact answer with exact tests.
  cpp_int L = boost::multiprecision::floor(budget.approx() / log2_alphabet.approx()).convert_to<cpp_int>();
  if (L < 0) L = 0;
  while (L > 0 && !possible(L)) L -= 1;
  while (possible(L + 1)) L += 1;
  return L;
}

cpp_int min_state_bits(int alphabet, const cpp_int& length, const cpp_rational& epsilon) {
  check_sizes(alphabet, length);
  const Log2Number threshold = length_times_log2_alphabet(alphabet, length) + log2_one_minus(epsilon);
  const cpp_int bits = threshold.floor() + 1;
  return bits < 0 ? cpp_int(0) : bits;
}

}  // namespace copyproof::ssm_bounds
