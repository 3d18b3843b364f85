#include "copyproof/construction/float_format.hpp"

#include <cmath>
#include <limits>

namespace copyproof::construction {

std::string to_string(FloatFormat format) { return format == FloatFormat::bf16 ? "bf16" : "fp16"; }

FloatFormatSpec format_spec(FloatFormat format) {
  // bfloat16: binary32's exponent range, 8-bit significand (7 stored).
  // binary16: exponents -14 .. 15, 11-bit significand (10 stored).
  if (format == FloatFormat::bf16) return {7, -126, 127, std::ldexp(1.0, -8)};
  return {10, -14, 15, std::ldexp(1.0, -11)};
}

float round_to_format(float x, FloatFormat format) {
  if (std::isnan(x)) return std::numeric_limits<float>::quiet_NaN();
  if (std::isinf(x) || x == 0.0f) return x;
  const FloatFormatSpec s = format_spec(format);
  // The quantum (spacing of representable numbers) at x: 2^(e - fraction_bits) in the
  // binade [2^e, 2^(e+1)), and the subnormal spacing 2^(min_exponent - fraction_bits)
  // below 2^min_exponent. Scaling by a power of two is exact in double, and x / quantum
  // has at most 24 significant bits, so rint (round-half-even in the default rounding
  // mode) rounds it exactly once.
  int e = 0;
  std::frexp(static_cast<double>(x), &e);  // |x| in [2^(e-1), 2^e)
  const int binade = std::max(e - 1, s.min_exponent);
  const int quantum_exponent = binade - s.fraction_bits;
  const double rounded =
      std::ldexp(std::nearbyint(std::ldexp(static_cast<double>(x), -quantum_exponent)), quantum_exponent);
  const double largest = std::ldexp(2.0 - std::ldexp(1.0, -s.fraction_bits), s.max_exponent);
  if (std::fabs(rounded) > largest) return std::copysign(std::numeric_limits<float>::infinity(), x);
  return static_cast<float>(rounded);
}

void round_all(float* data, std::int64_t n, FloatFormat format) {
  for (std::int64_t i = 0; i < n; ++i) data[i] = round_to_format(data[i], format);
}

}  // namespace copyproof::construction
