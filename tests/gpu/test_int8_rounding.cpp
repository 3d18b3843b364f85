// The int8 rounding rule of round_projection_kernel (copyproof/gpu/int8_rounding.hpp) on the
// CPU: the CPU int8 path's rule (round half to even, reject |rounded| > 127), with NaN and
// infinities rejected rather than cast, and a residual that never understates the exact one.

#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <limits>

#include "copyproof/gpu/int8_rounding.hpp"

using copyproof::gpu::round_to_int8;

TEST_CASE("int8 rounding: values, ties to even, and the edge of int8") {
  CHECK(round_to_int8(0.2).value == 0);
  CHECK(round_to_int8(-0.7).value == -1);
  CHECK(round_to_int8(2.5).value == 2);  // half to even, as std::nearbyint in the default mode
  CHECK(round_to_int8(3.5).value == 4);
  CHECK(round_to_int8(127.4).value == 127);
  CHECK_FALSE(round_to_int8(127.4).rejected);
  CHECK(round_to_int8(-127.49).value == -127);
  CHECK(round_to_int8(127.6).rejected);
  CHECK(round_to_int8(-128.0).rejected);  // int8 holds -128, but the codes are symmetric: |x| <= 127
  CHECK(round_to_int8(-7.0).magnitude == 7);
}

TEST_CASE("int8 rounding: NaN and infinities are rejected, never cast") {
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    const auto e = round_to_int8(bad);
    CHECK(e.rejected);
    CHECK(e.value == 0);
    CHECK(e.magnitude == 0);
  }
}

TEST_CASE("int8 rounding: the float residual is never below the exact one") {
  for (double x : {1.0 + 1e-9, 1.0 - 3e-8, -5.0 + 1.234567891e-7, 0.1, 0.3333333333333333, 100.49999999}) {
    const auto e = round_to_int8(x);
    const double exact = std::fabs(x - std::nearbyint(x));
    CHECK(static_cast<double>(e.residual) >= exact);
    CHECK(static_cast<double>(e.residual) <= exact * (1 + 1e-6) + 1e-45);  // one float step above, at most
  }
}
