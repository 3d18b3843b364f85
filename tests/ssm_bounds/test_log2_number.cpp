// Log2Number: exact canonical form, exact signs and floors, and its decimal output.
#include <doctest/doctest.h>

#include "copyproof/ssm_bounds/decimal_format.hpp"
#include "copyproof/ssm_bounds/log2_number.hpp"

using namespace copyproof::ssm_bounds;

TEST_CASE("powers of two and common factors cancel exactly") {
  const Log2Number x = Log2Number::log2_of(cpp_int(12)) - Log2Number::log2_of(cpp_int(3));  // log2 4
  CHECK(x.is_rational());
  CHECK(x.rational_part() == 2);
  // 5 log2 6 - 5 log2 2 - 5 log2 3 = 0, via the coprime refinement of {6, 3}.
  const Log2Number zero =
      Log2Number::log2_of(cpp_int(6)).times(5) - Log2Number::rational(5) - Log2Number::log2_of(cpp_int(3)).times(5);
  CHECK(zero.is_rational());
  CHECK(zero.sign() == 0);
  // log2 (45/15) = log2 3: irrational, positive, floor 1.
  const Log2Number three = Log2Number::log2_of(cpp_rational(45, 15));
  CHECK_FALSE(three.is_rational());
  CHECK(three.sign() == 1);
  CHECK(three.floor() == 1);
  CHECK(three.expression() == "log2(3)");
}

TEST_CASE("floor and sign of large irrational values are exact") {
  const cpp_int L("1000000000000000000");
  const Log2Number x = Log2Number::log2_of(cpp_int(3)).times(L);  // 1e18 log2 3
  CHECK(x.floor() == cpp_int("1584962500721156181"));             // 1.5849625007211561814537...e18
  CHECK((x - Log2Number::rational(cpp_rational(cpp_int("1584962500721156181")))).sign() == 1);
  CHECK((x - Log2Number::rational(cpp_rational(cpp_int("1584962500721156182")))).sign() == -1);
}

TEST_CASE("exact_power_of_two writes 2^x out when it is a small rational") {
  const Log2Number x = Log2Number::log2_of(cpp_int(1770)) - Log2Number::rational(5);  // 1770 / 32
  CHECK(x.exact_power_of_two(kExactWriteOutBits) == cpp_rational(1770, 32));
  CHECK(format_power_of_two(x, 20, Rounding::up) == "55.3125");
  CHECK_FALSE(Log2Number::rational(cpp_rational(1, 2)).exact_power_of_two(kExactWriteOutBits));  // sqrt 2
  CHECK_FALSE(Log2Number::rational(-5000).exact_power_of_two(kExactWriteOutBits));               // too many bits
}

TEST_CASE("format_rational rounds in the asked direction") {
  CHECK(format_rational(cpp_rational(1, 3), 5, Rounding::down) == "0.33333");
  CHECK(format_rational(cpp_rational(1, 3), 5, Rounding::up) == "0.33334");
  CHECK(format_rational(cpp_rational(2, 3), 3, Rounding::up) == "0.667");
  CHECK(format_rational(cpp_rational(99999, 1), 3, Rounding::up) == "100000");
  CHECK(format_rational(cpp_rational(1, cpp_int("100000000000000000000000")), 3, Rounding::down) == "1e-23");
  CHECK(format_rational(cpp_rational(0), 3, Rounding::down) == "0");
}

TEST_CASE("format_rational: huge and tiny fractions, exact decades, and rounding up to the next decade") {
  const cpp_int big = power(cpp_int(10), 5000);
  CHECK(format_rational(cpp_rational(big, 3), 5, Rounding::down) == "3.3333e+4999");
  CHECK(format_rational(cpp_rational(big, 3), 5, Rounding::up) == "3.3334e+4999");
  CHECK(format_rational(cpp_rational(1, big), 5, Rounding::up) == "1e-5000");  // exactly a power of ten
  CHECK(format_rational(cpp_rational(1, big * 7), 3, Rounding::down) == "1.42e-5001");
  CHECK(format_rational(cpp_rational(big + 1, big), 5, Rounding::down) == "1");
  CHECK(format_rational(cpp_rational(big + 1, big), 5, Rounding::up) == "1.0001");
  CHECK(format_rational(cpp_rational(big - 1, big), 5, Rounding::down) == "0.99999");
  CHECK(format_rational(cpp_rational(big - 1, big), 5, Rounding::up) == "1");
  // A fraction of a million bits per part (pngram's n = 1 at L = 65536) is read off its bits.
  const cpp_int two_million_bits = power(cpp_int(2), 1 << 20);
  CHECK(format_rational(cpp_rational(two_million_bits - 1, two_million_bits), 3, Rounding::down) == "0.999");
}

TEST_CASE("format_power_of_two keeps tiny values tiny and huge ones huge") {
  CHECK(format_power_of_two(Log2Number::rational(-10000), 5, Rounding::up) == "5.0124e-3011");  // 5.01237...e-3011
  CHECK(format_power_of_two(Log2Number::rational(-10000), 5, Rounding::down) == "5.0123e-3011");
  CHECK(format_power_of_two(Log2Number::rational(10000), 5, Rounding::down) == "1.995e+3010");  // 1.99506...e3010
}
