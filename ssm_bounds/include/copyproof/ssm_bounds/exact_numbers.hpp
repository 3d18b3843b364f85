#pragma once
// The number types of the bound calculator. Counts are exact integers (cpp_int),
// probabilities and bit counts given by the user are exact rationals (cpp_rational),
// and irrational quantities (logarithms) are evaluated in a 100-digit binary float
// whose error is bounded explicitly wherever a decision depends on it (log2_number.hpp).

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <boost/multiprecision/cpp_int.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace copyproof::ssm_bounds {

// Expression templates off: results are plain values, so `auto`, ternaries and lambdas
// returning them behave like ordinary arithmetic (no dangling expression objects).
using cpp_int = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<>, boost::multiprecision::et_off>;
using cpp_rational =
    boost::multiprecision::number<boost::multiprecision::rational_adaptor<boost::multiprecision::cpp_int_backend<>>,
                                  boost::multiprecision::et_off>;
// 100 significant decimal digits. Magnitudes here stay below 2^70 (L log2 D <= 1e18 * 16),
// so absolute errors stay below 1e-75: far finer than any digit we print (40).
using Real = boost::multiprecision::cpp_bin_float_100;

// The most bits an exact integer, or a fraction's numerator or denominator, is written
// out with: 2^4096 has 1234 decimal digits, still exact, fast and readable. Past it a
// quantity is kept and reported as its log2 (|S|, D^L, D^n, 2^x alike).
inline constexpr std::uint64_t kExactWriteOutBits = 4096;
// The one test of that limit: the highest set bit of |x| is at most kExactWriteOutBits
// (2^4096 is written out, 2^4097 is not). state_of_bits and state_of_count apply it alike;
// Log2Number::exact_power_of_two takes it as its max_bits.
bool written_out_exactly(const cpp_int& x);

// Relative error we allow for one evaluated logarithm or conversion at 100 digits:
// Boost's elementary functions are accurate to a few units in the last place, and we
// keep 5 decimal digits of headroom for the handful of operations per quantity.
Real relative_error_per_operation();

// Parses a plain decimal number ("0.01", "12", "1e-6", "2.5E3") into the exact rational
// it denotes. Returns nullopt for anything else (signs other than a leading '-', hex,
// inf/nan, empty input).
std::optional<cpp_rational> parse_decimal(std::string_view text);

// Exact floor and ceiling of a rational.
cpp_int floor_of(const cpp_rational& q);
cpp_int ceil_of(const cpp_rational& q);

// base^exponent for a non-negative exponent that may exceed unsigned range guards.
cpp_int power(const cpp_int& base, std::uint64_t exponent);

// D (D - 1) ... (D - k + 1): strings of length k with k distinct letters.
cpp_int falling_factorial(const cpp_int& d, std::uint64_t k);

// C(k, 2) = k (k - 1) / 2 for k >= 0 (0 for k < 2).
cpp_int pairs(const cpp_int& k);

// Rational or integer as text: "127/128", "-7", "3".
std::string to_string(const cpp_rational& q);
std::string to_string(const cpp_int& n);

// A Real from an exact rational (rounded to 100 digits).
Real to_real(const cpp_rational& q);

// Checked narrowing for results documented to fit (e.g. lengths <= 1e18 * 64).
std::uint64_t to_uint64(const cpp_int& n);

}  // namespace copyproof::ssm_bounds
