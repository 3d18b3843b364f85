#pragma once
// Log2Number: the base-2 logarithm of a positive number known exactly as a product of
// powers, 2^r * prod_i b_i^k_i (r rational, b_i integers, k_i integers). Every quantity
// of the bounds is of this form: log2|S| - L log2 D, L log2 D + log2(1 - eps), ...
//
// Why not just a float: decisions such as "is err <= 1/2 still possible at this L" are
// ties in the power-of-two cases (D = 2^k, integer bits) and must come out exactly. In
// canonical form the odd bases are pairwise coprime and > 1 with nonzero exponents, so
// (unique factorization) the value is rational iff there are no such terms, and then it
// is exactly `rational_part()`. Otherwise it is irrational, hence never 0 and never an
// integer, and its sign (or floor) is decided from a 100-digit evaluation whose error
// is bounded; a value closer to a decision point than that bound throws instead of
// guessing (it has never been observed: it would need a ~1e-75 coincidence).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "copyproof/ssm_bounds/exact_numbers.hpp"

namespace copyproof::ssm_bounds {

class Log2Number {
 public:
  Log2Number() = default;  // log2(1) = 0

  static Log2Number rational(const cpp_rational& value);  // exactly `value`
  static Log2Number log2_of(const cpp_int& n);            // log2 n, n >= 1
  static Log2Number log2_of(const cpp_rational& q);       // log2 q, q > 0

  Log2Number operator+(const Log2Number& other) const;
  Log2Number operator-(const Log2Number& other) const;
  Log2Number operator-() const;
  Log2Number times(const cpp_int& factor) const;  // factor * this

  bool is_rational() const { return terms_.empty(); }
  const cpp_rational& rational_part() const { return rational_; }

  // The value to 100 digits, and a bound on |value - approx()|.
  Real approx() const;
  Real error_bound() const;

  // 2^value as an exact rational when it is one whose numerator and denominator have at
  // most `max_bits` bits (rational part an integer, every base power small enough).
  std::optional<cpp_rational> exact_power_of_two(std::uint64_t max_bits) const;

  int sign() const;       // exact: -1, 0 or +1
  cpp_int floor() const;  // exact

  // "1000000 - 1000000000*log2(3)": exact, for reports.
  std::string expression() const;

 private:
  void canonicalize();

  cpp_rational rational_;
  // (odd base > 1, nonzero exponent); bases pairwise coprime after canonicalize().
  std::vector<std::pair<cpp_int, cpp_int>> terms_;
};

// ln 2 to 100 digits (shared so that every caller rounds the same way).
const Real& ln2();

}  // namespace copyproof::ssm_bounds
