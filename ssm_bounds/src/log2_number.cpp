#include "copyproof/ssm_bounds/log2_number.hpp"

#include <boost/multiprecision/integer.hpp>

#include <stdexcept>

namespace copyproof::ssm_bounds {

const Real& ln2() {
  static const Real value = boost::multiprecision::log(Real(2));
  return value;
}

Log2Number Log2Number::rational(const cpp_rational& value) {
  Log2Number x;
  x.rational_ = value;
  return x;
}

Log2Number Log2Number::log2_of(const cpp_int& n) {
  if (n < 1) throw std::invalid_argument("log2_of: argument must be >= 1, got " + n.str());
  Log2Number x;
  x.terms_.emplace_back(n, 1);
  x.canonicalize();
  return x;
}

Log2Number Log2Number::log2_of(const cpp_rational& q) {
  if (q <= 0) throw std::invalid_argument("log2_of: argument must be positive");
  return log2_of(boost::multiprecision::numerator(q)) - log2_of(boost::multiprecision::denominator(q));
}

Log2Number Log2Number::operator+(const Log2Number& other) const {
  Log2Number sum = *this;
  sum.rational_ += other.rational_;
  sum.terms_.insert(sum.terms_.end(), other.terms_.begin(), other.terms_.end());
  sum.canonicalize();
  return sum;
}

Log2Number Log2Number::operator-() const { return times(-1); }

Log2Number Log2Number::operator-(const Log2Number& other) const { return *this + (-other); }

Log2Number Log2Number::times(const cpp_int& factor) const {
  Log2Number product = *this;
  product.rational_ *= factor;
  for (auto& term : product.terms_) term.second *= factor;
  product.canonicalize();
  return product;
}

void Log2Number::canonicalize() {
  // 1. Powers of two go to the rational part: b = 2^a * odd contributes k*a exactly.
  std::vector<std::pair<cpp_int, cpp_int>> odd;
  for (auto [base, exponent] : terms_) {
    if (exponent == 0) continue;
    const std::size_t twos = boost::multiprecision::lsb(base);
    rational_ += cpp_rational(exponent * twos);
    base >>= twos;
    if (base > 1) odd.emplace_back(base, exponent);
  }
  // 2. Factor refinement into pairwise coprime bases: b1^k1 b2^k2 with g = gcd(b1, b2)
  //    equals (b1/g)^k1 (b2/g)^k2 g^(k1+k2). The product of all bases strictly falls
  //    at each split, so this terminates. Equal bases merge their exponents.
  bool changed = true;
  while (changed) {
    changed = false;
    for (std::size_t i = 0; i < odd.size() && !changed; ++i) {
      for (std::size_t j = i + 1; j < odd.size() && !changed; ++j) {
        const cpp_int g = boost::multiprecision::gcd(odd[i].first, odd[j].first);
        if (g == 1) continue;
        changed = true;
        auto [bi, ki] = odd[i];
        auto [bj, kj] = odd[j];
        odd.erase(odd.begin() + static_cast<std::ptrdiff_t>(j));
        odd.erase(odd.begin() + static_cast<std::ptrdiff_t>(i));
        if (bi == bj) {
          odd.emplace_back(bi, ki + kj);
        } else {
          if (bi / g > 1) odd.emplace_back(bi / g, ki);
          if (bj / g > 1) odd.emplace_back(bj / g, kj);
          odd.emplace_back(g, ki + kj);
        }
      }
    }
  }
  terms_.clear();
  for (auto& term : odd)
    if (term.second != 0) terms_.push_back(term);
}

Real Log2Number::approx() const {
  Real value = to_real(rational_);
  for (const auto& [base, exponent] : terms_) value += Real(exponent) * boost::multiprecision::log(Real(base)) / ln2();
  return value;
}

Real Log2Number::error_bound() const {
  // Each term is computed with relative error <= relative_error_per_operation();
  // summing their magnitudes bounds the absolute error of the sum.
  Real magnitude = boost::multiprecision::abs(to_real(rational_));
  for (const auto& [base, exponent] : terms_)
    magnitude += boost::multiprecision::abs(Real(exponent)) * boost::multiprecision::log(Real(base)) / ln2();
  return magnitude * relative_error_per_operation();
}

std::optional<cpp_rational> Log2Number::exact_power_of_two(std::uint64_t max_bits) const {
  if (boost::multiprecision::denominator(rational_) != 1) return std::nullopt;
  const cpp_int two_exponent = boost::multiprecision::numerator(rational_);
  // Bits of numerator and denominator, bounded before anything is computed.
  cpp_int bits = boost::multiprecision::abs(two_exponent);
  for (const auto& [base, exponent] : terms_)
    bits += boost::multiprecision::abs(exponent) * (boost::multiprecision::msb(base) + 1);
  if (bits > max_bits) return std::nullopt;
  cpp_int numerator = 1, denominator = 1;
  const auto multiply = [&](const cpp_int& base, const cpp_int& exponent) {
    (exponent >= 0 ? numerator : denominator) *= power(base, to_uint64(boost::multiprecision::abs(exponent)));
  };
  multiply(cpp_int(2), two_exponent);
  for (const auto& [base, exponent] : terms_) multiply(base, exponent);
  return cpp_rational(numerator, denominator);
}

int Log2Number::sign() const {
  if (is_rational()) return rational_ > 0 ? 1 : (rational_ < 0 ? -1 : 0);
  const Real value = approx();
  const Real error = error_bound();
  if (value > error) return 1;
  if (value < -error) return -1;
  throw std::runtime_error("Log2Number: sign of " + expression() + " is not decided at 100 digits");
}

cpp_int Log2Number::floor() const {
  if (is_rational()) return floor_of(rational_);
  cpp_int f = boost::multiprecision::floor(approx()).convert_to<cpp_int>();
  // Irrational: never equal to an integer, so both comparisons are strict and exact.
  while ((*this - rational(cpp_rational(f))).sign() < 0) f -= 1;
  while ((*this - rational(cpp_rational(f + 1))).sign() > 0) f += 1;
  return f;
}

std::string Log2Number::expression() const {
  std::string text;
  if (rational_ != 0 || terms_.empty()) text = to_string(rational_);
  for (const auto& [base, exponent] : terms_) {
    const bool negative = exponent < 0;
    const cpp_int magnitude = negative ? cpp_int(-exponent) : exponent;
    if (!text.empty())
      text += negative ? " - " : " + ";
    else if (negative)
      text += "-";
    if (magnitude != 1) text += magnitude.str() + "*";
    text += "log2(" + base.str() + ")";
  }
  return text;
}

}  // namespace copyproof::ssm_bounds
