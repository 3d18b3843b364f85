#pragma once
// Software rounding of binary32 values to narrower binary floating-point formats (bfloat16,
// IEEE binary16), round-to-nearest-even, for the emulated low-precision forward
// (emulated_forward.hpp). The result is returned as a float holding exactly the rounded
// value. NaN stays NaN; values beyond the format's largest finite number round to
// +-infinity as IEEE rounding does (the halfway point rounds to even, which is infinity);
// values below the smallest normal round to the format's subnormals or to signed zero.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace copyproof::construction {

enum class FloatFormat { bf16, fp16 };
std::string to_string(FloatFormat format);

struct FloatFormatSpec {
  int fraction_bits;     // stored significand bits (7 for bf16, 10 for fp16)
  int min_exponent;      // exponent of the smallest normal number: 2^min_exponent
  int max_exponent;      // exponent of the largest binade
  double unit_roundoff;  // u = 2^-(fraction_bits + 1)
};
FloatFormatSpec format_spec(FloatFormat format);

// Round-to-nearest-even of x to `format`, as a float.
float round_to_format(float x, FloatFormat format);

// Rounds n floats in place.
void round_all(float* data, std::int64_t n, FloatFormat format);

}  // namespace copyproof::construction
