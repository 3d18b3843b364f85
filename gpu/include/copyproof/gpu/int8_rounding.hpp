#pragma once
// One entry of a layer-2 input (query / unit, key, value) rounded to int8, host and
// device: the rule of round_projection_kernel (gpu/src/round_projection.cu), tested on the
// CPU (tests/gpu/test_int8_rounding.cpp). It is the CPU int8 path's rule
// (construction::round_last_layer_head): round half to even, and reject unless
// |rounded| <= 127 -- written so that NaN and infinities are rejected too.

#include <cmath>
#include <cstdint>

#include "copyproof/construction/level_softmax.hpp"  // COPYPROOF_HOST_DEVICE

namespace copyproof::gpu {

inline constexpr double kInt8Limit = 127.0;

struct Int8Entry {
  std::int8_t value = 0;
  bool rejected = false;  // |rounded| > 127, NaN or infinite: the run must stop
  float residual = 0;     // |value - rounded|, rounded up to float: a bound, never below the exact one
  int magnitude = 0;      // |rounded|
};

COPYPROOF_HOST_DEVICE inline Int8Entry round_to_int8(double value) {
  Int8Entry e;
  const double rounded = nearbyint(value);
  if (!(fabs(rounded) <= kInt8Limit)) {  // false for NaN: rejected, never cast
    e.rejected = true;
    return e;
  }
  e.value = static_cast<std::int8_t>(rounded);
  e.magnitude = static_cast<int>(fabs(rounded));
  const double residual = fabs(value - rounded);
  e.residual = static_cast<float>(residual);
  if (static_cast<double>(e.residual) < residual) e.residual = nextafterf(e.residual, INFINITY);
  return e;
}

}  // namespace copyproof::gpu
