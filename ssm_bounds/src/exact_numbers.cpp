#include "copyproof/ssm_bounds/exact_numbers.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>

namespace copyproof::ssm_bounds {

Real relative_error_per_operation() {
  static const Real value = Real(1) / boost::multiprecision::pow(Real(10), 95);
  return value;
}

std::optional<cpp_rational> parse_decimal(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  std::string digits;
  std::int64_t scale = 0;  // value = digits * 10^(-scale)
  bool seen_dot = false;
  std::size_t i = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
      if (seen_dot) ++scale;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (digits.empty()) return std::nullopt;
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return std::nullopt;
    std::string_view exponent_text = text.substr(i + 1);
    bool exponent_negative = false;
    if (!exponent_text.empty() && (exponent_text.front() == '-' || exponent_text.front() == '+')) {
      exponent_negative = exponent_text.front() == '-';
      exponent_text.remove_prefix(1);
    }
    // Exponents are capped at 4 digits: 1e9999 already exceeds every range we accept.
    if (exponent_text.empty() || exponent_text.size() > 4) return std::nullopt;
    std::int64_t exponent = 0;
    for (const char c : exponent_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      exponent = exponent * 10 + (c - '0');
    }
    scale += exponent_negative ? exponent : -exponent;
  }
  // Boost reads a leading 0 as octal ("010" is 8, "09" throws): "0.10" would be 8/100.
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
  cpp_rational value{cpp_int(digits)};
  const cpp_int ten_power = power(cpp_int(10), static_cast<std::uint64_t>(scale < 0 ? -scale : scale));
  value = scale >= 0 ? value / ten_power : value * ten_power;
  return negative ? -value : value;
}

cpp_int floor_of(const cpp_rational& q) {
  const cpp_int num = boost::multiprecision::numerator(q);
  const cpp_int den = boost::multiprecision::denominator(q);  // always > 0
  cpp_int quotient = num / den;                               // truncates toward zero
  if (num < 0 && quotient * den != num) quotient -= 1;
  return quotient;
}

cpp_int ceil_of(const cpp_rational& q) { return -floor_of(-q); }

cpp_int power(const cpp_int& base, std::uint64_t exponent) {
  cpp_int result = 1;
  cpp_int square = base;
  while (exponent != 0) {
    if (exponent & 1U) result *= square;
    exponent >>= 1U;
    if (exponent != 0) square *= square;
  }
  return result;
}

cpp_int falling_factorial(const cpp_int& d, std::uint64_t k) {
  cpp_int result = 1;
  for (std::uint64_t i = 0; i < k; ++i) {
    const cpp_int factor = d - i;
    if (factor <= 0) return 0;
    result *= factor;
  }
  return result;
}

bool written_out_exactly(const cpp_int& x) {
  return x == 0 || boost::multiprecision::msb(boost::multiprecision::abs(x)) <= kExactWriteOutBits;
}

cpp_int pairs(const cpp_int& k) { return k < 2 ? cpp_int(0) : cpp_int(k * (k - 1) / 2); }

std::string to_string(const cpp_int& n) { return n.str(); }

std::string to_string(const cpp_rational& q) {
  const cpp_int den = boost::multiprecision::denominator(q);
  if (den == 1) return boost::multiprecision::numerator(q).str();
  return boost::multiprecision::numerator(q).str() + "/" + den.str();
}

Real to_real(const cpp_rational& q) {
  return Real(boost::multiprecision::numerator(q)) / Real(boost::multiprecision::denominator(q));
}

std::uint64_t to_uint64(const cpp_int& n) {
  if (n < 0 || n > std::numeric_limits<std::uint64_t>::max())
    throw std::overflow_error("value " + n.str() + " does not fit in 64 bits");
  return static_cast<std::uint64_t>(n);
}

}  // namespace copyproof::ssm_bounds
