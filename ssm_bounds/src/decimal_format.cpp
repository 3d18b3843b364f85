#include "copyproof/ssm_bounds/decimal_format.hpp"

#include <boost/multiprecision/integer.hpp>

#include <cmath>
#include <stdexcept>

namespace copyproof::ssm_bounds {
namespace {

// mantissa (exactly `digits` digits, or fewer when trailing zeros were stripped)
// times 10^(exponent10 - digits + 1), as text.
std::string layout(const cpp_int& mantissa, const cpp_int& exponent10) {
  if (mantissa == 0) return "0";
  std::string text = mantissa.str();
  // Strip trailing zeros: they carry no information about the rounded value.
  while (text.size() > 1 && text.back() == '0') text.pop_back();
  if (exponent10 >= -10 && exponent10 < 21) {
    const long e = exponent10.convert_to<long>();
    if (e >= 0) {
      const std::size_t integer_digits = static_cast<std::size_t>(e) + 1;
      if (text.size() <= integer_digits) return text + std::string(integer_digits - text.size(), '0');
      return text.substr(0, integer_digits) + "." + text.substr(integer_digits);
    }
    return "0." + std::string(static_cast<std::size_t>(-e - 1), '0') + text;
  }
  std::string out = text.substr(0, 1);
  if (text.size() > 1) out += "." + text.substr(1);
  return out + "e" + (exponent10 < 0 ? "-" : "+") + boost::multiprecision::abs(exponent10).str();
}

cpp_int ten_to(const cpp_int& k) { return power(cpp_int(10), to_uint64(k)); }

// Rounds a mantissa known to lie in [lo, hi] (both in [1, 10)) times 10^e to `digits`
// digits in the asked direction, renormalizing when rounding up reaches 10.
std::string from_mantissa(const Real& lo, const Real& hi, cpp_int e, int digits, Rounding rounding) {
  const Real scale = boost::multiprecision::pow(Real(10), digits - 1);
  cpp_int m = rounding == Rounding::down ? boost::multiprecision::floor(lo * scale).convert_to<cpp_int>()
                                         : boost::multiprecision::ceil(hi * scale).convert_to<cpp_int>();
  const cpp_int top = power(cpp_int(10), static_cast<std::uint64_t>(digits));
  const cpp_int bottom = power(cpp_int(10), static_cast<std::uint64_t>(digits - 1));
  if (m >= top) {  // 9.99..9 rounded up
    m = bottom;
    e += 1;
  }
  if (m < bottom) {  // lo slightly below 1 after the error margin: one digit lower
    m = top - 1;
    e -= 1;
  }
  return layout(m, e);
}

}  // namespace

// Integer arithmetic only: a fraction of a million bits (pngram's n = 1 at L = 65536)
// takes no decimal expansion of its parts and no rational normalization (a binary gcd).
std::string format_rational(const cpp_rational& q, int digits, Rounding rounding) {
  if (q < 0) throw std::invalid_argument("format_rational: negative value");
  if (q == 0) return "0";
  const cpp_int num = boost::multiprecision::numerator(q);
  const cpp_int den = boost::multiprecision::denominator(q);
  // q >= 10^k, exactly, for k of either sign.
  const auto at_least_ten_to = [&](long long k) {
    return k >= 0 ? num >= den * ten_to(cpp_int(k)) : num * ten_to(cpp_int(-k)) >= den;
  };
  // e = floor(log10 q): q lies in [2^(b-1), 2^(b+1)) for b = bits(num) - bits(den), so
  // b log10 2 is within one of it; the comparisons make it exact.
  const auto b =
      static_cast<long long>(boost::multiprecision::msb(num)) - static_cast<long long>(boost::multiprecision::msb(den));
  auto e = static_cast<long long>(std::floor(static_cast<double>(b) * 0.30102999566398120));
  while (!at_least_ten_to(e)) --e;
  while (at_least_ten_to(e + 1)) ++e;
  // m = q 10^(digits - 1 - e), rounded in the asked direction.
  const long long s = digits - 1 - e;
  cpp_int m, remainder;
  boost::multiprecision::divide_qr(s >= 0 ? cpp_int(num * ten_to(cpp_int(s))) : num,
                                   s >= 0 ? den : cpp_int(den * ten_to(cpp_int(-s))), m, remainder);
  if (rounding == Rounding::up && remainder != 0) ++m;
  if (m >= power(cpp_int(10), static_cast<std::uint64_t>(digits))) return layout(m / 10, cpp_int(e + 1));
  return layout(m, cpp_int(e));
}

std::string format_power_of_two(const Log2Number& x, int digits, Rounding rounding) {
  if (const auto exact = x.exact_power_of_two(kExactWriteOutBits)) return format_rational(*exact, digits, rounding);
  // 2^x = 10^t with t = x log10(2): exponent floor(t), mantissa 10^frac(t). The error of
  // t bounds the mantissa interval; the margin also covers log10(2) and pow at 100 digits.
  const Real log10_of_2 = ln2() / boost::multiprecision::log(Real(10));
  const Real t = x.approx() * log10_of_2;
  const Real t_error =
      (x.error_bound() + boost::multiprecision::abs(x.approx()) * relative_error_per_operation()) * log10_of_2 +
      relative_error_per_operation();
  const cpp_int e = boost::multiprecision::floor(t).convert_to<cpp_int>();
  const Real fraction = t - Real(e);
  const Real lo = boost::multiprecision::pow(Real(10), fraction - t_error);
  const Real hi = boost::multiprecision::pow(Real(10), fraction + t_error);
  return from_mantissa(lo, hi, e, digits, rounding);
}

std::string format_one_minus_power_of_two(const Log2Number& x, int digits, Rounding rounding) {
  if (x.sign() >= 0) throw std::invalid_argument("format_one_minus_power_of_two: needs x < 0");
  if (const auto exact = x.exact_power_of_two(kExactWriteOutBits)) return format_rational(1 - *exact, digits, rounding);
  // When 2^x < 10^-(digits + 5), 1 - 2^x lies in (1 - 10^-(digits+5), 1): its first
  // `digits` digits are all nines: truncation gives exactly 0.99...9 and rounding up
  // gives 1 (a valid upper bound; the value itself is below 1).
  const Real x_value = x.approx();
  const Real x_error = x.error_bound() + boost::multiprecision::abs(x_value) * relative_error_per_operation();
  const Real log2_of_tiny = -Real(digits + 5) * boost::multiprecision::log(Real(10)) / ln2();
  if (x_value + x_error < log2_of_tiny) {
    if (rounding == Rounding::down) return "0." + std::string(static_cast<std::size_t>(digits), '9');
    return "1";
  }
  // Otherwise 1 - 2^x = -expm1(x ln 2) is an ordinary number; evaluate it at the ends of
  // the interval for x (1 - 2^x falls as x rises).
  if (x_value + x_error >= 0)
    throw std::runtime_error("1 - 2^(" + x.expression() + ") is too close to 0 to certify at 100 digits");
  const Real lo = -boost::multiprecision::expm1((x_value + x_error) * ln2()) * (1 - relative_error_per_operation());
  const Real hi = -boost::multiprecision::expm1((x_value - x_error) * ln2()) * (1 + relative_error_per_operation());
  const Real anchor = rounding == Rounding::down ? lo : hi;
  const cpp_int e = boost::multiprecision::floor(boost::multiprecision::log10(anchor)).convert_to<cpp_int>();
  const Real unit = boost::multiprecision::pow(Real(10), Real(e));
  return from_mantissa(lo / unit, hi / unit, e, digits, rounding);
}

std::string format_log2(const Log2Number& x) {
  if (x.is_rational()) return to_string(x.rational_part());
  return x.approx().str(40);
}

}  // namespace copyproof::ssm_bounds
