// Theorem 2.7 / Corollary 2.8 and the inverse queries against hand computations.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <string>

#include "copyproof/ssm_bounds/copy_error_bound.hpp"
#include "copyproof/ssm_bounds/decimal_format.hpp"

using namespace copyproof::ssm_bounds;

namespace {
cpp_rational q(long long num, long long den = 1) { return cpp_rational(cpp_int(num), cpp_int(den)); }
cpp_rational bits_of(const char* text) { return *parse_decimal(text); }
}  // namespace

TEST_CASE("D=2, L=10, 3 bits: err > 1 - 2^-7 = 127/128, by hand") {
  const auto b = copy_error_lower_bound(state_of_bits(3), 2, 10);
  CHECK(b.exact_value == q(127, 128));
  CHECK(b.exact_form == "127/128");
  CHECK(b.decimal == "0.9921875");
  CHECK(b.copyable_fraction == "0.0078125");
  CHECK(format_log2(b.log2_ratio) == "-7");
  CHECK(b.exceeds_half);
  CHECK_FALSE(b.vacuous);
}

TEST_CASE("a count |S| and D^L not a power of two: 1 - 1000/3^7 exactly") {
  const auto b = copy_error_lower_bound(state_of_count(1000), 3, 7);
  CHECK(b.exact_value == 1 - q(1000, 2187));
}

TEST_CASE("Corollary 2.8 at its boundary: |S| = D^L / 2 gives exactly 1/2") {
  const auto b = copy_error_lower_bound(state_of_bits(9), 2, 10);
  CHECK(b.exact_value == q(1, 2));
  CHECK(b.exceeds_half);         // err > 1/2 by Theorem 2.7 (strict)
  CHECK_FALSE(b.corollary_2_8);  // the corollary's hypothesis mem < L log2 D - 1 is strict too
  CHECK(copy_error_lower_bound(state_of_bits(8), 2, 10).corollary_2_8);
  CHECK_FALSE(copy_error_lower_bound(state_of_bits(10), 2, 10).exceeds_half);
}

TEST_CASE("vacuous when |S| >= D^L") {
  for (int bits : {10, 11, 50}) {
    const auto b = copy_error_lower_bound(state_of_bits(bits), 2, 10);
    CHECK(b.vacuous);
    CHECK(b.exact_form == "0");
    CHECK(b.copyable_fraction == "1");
  }
}

TEST_CASE("exact vs double where the double is exact: 1 - 2^(b - L) for D = 2") {
  for (int L = 1; L <= 40; ++L)
    for (int b = 0; b < L; ++b) {
      const auto bound = copy_error_lower_bound(state_of_bits(b), 2, L);
      REQUIRE(bound.exact_value);
      CHECK(static_cast<double>(*bound.exact_value) == 1.0 - std::ldexp(1.0, b - L));
    }
}

TEST_CASE("bits = 1e6, L = 1e9: an exact expression and its log2, never \"1\"") {
  const auto b2 = copy_error_lower_bound(state_of_bits(1'000'000), 2, cpp_int(1'000'000'000));
  CHECK(b2.exact_form == "1 - 2^-999000000");
  CHECK(format_log2(b2.log2_ratio) == "-999000000");
  CHECK(b2.decimal == "0." + std::string(40, '9'));  // 40 nines: truncated, not rounded to 1
  CHECK(b2.copyable_fraction.rfind("2.146262245194158554", 0) == 0);
  CHECK(b2.copyable_fraction.ends_with("e-300728966"));  // 2^-999000000 = 10^-300728965.67

  const auto b3 = copy_error_lower_bound(state_of_bits(1'000'000), 3, cpp_int(1'000'000'000));
  CHECK(b3.exact_form == "1 - 2^1000000 / 3^1000000000");
  CHECK(b3.log2_ratio.expression() == "1000000 - 1000000000*log2(3)");
  // log2(3) = 1.58496250072115618145373894394781650875981440769..., so the ratio is
  // 1e6 - 1e9 log2 3 = -1583962500.72115618145373894394781650876 (rounded at 40 digits).
  CHECK(format_log2(b3.log2_ratio).rfind("-1583962500.7211561814537389439478165087", 0) == 0);
}

TEST_CASE("L = 1e18, D = 65536: no overflow, answers in milliseconds") {
  const auto start = std::chrono::steady_clock::now();
  const cpp_int L("1000000000000000000");
  const auto b = copy_error_lower_bound(state_of_bits(bits_of("1e15")), 65536, L);
  CHECK(b.exact_form == "1 - 2^-15999000000000000000");  // 1e15 - 16e18
  CHECK(b.decimal == "0." + std::string(40, '9'));
  CHECK(max_copy_length(state_of_bits(bits_of("1e15")), 65536, q(1, 2)) == cpp_int("62500000000000"));
  CHECK(min_state_bits(65536, L, q(1, 2)) == cpp_int("16000000000000000000"));  // 16e18 - 1 + 1
  CHECK(min_state_bits(50277, L, q(1, 100)) > cpp_int("15000000000000000000"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 0.5);  // four queries; milliseconds each, 0.5 s leaves room for sanitizer builds
}

TEST_CASE("fractional bits: the decimal is the truncation of the true value") {
  // 1 - 2^-6.5 = 0.98895145654396019493123680684...; computed independently in long double
  // to 18 digits (its precision), the 40-digit truncation must agree on those digits.
  const auto b = copy_error_lower_bound(state_of_bits(bits_of("3.5")), 2, 10);
  CHECK(b.exact_form == "1 - 2^(-13/2)");
  const long double independent = 1.0L - std::pow(2.0L, -6.5L);
  CHECK(std::fabs(std::stold(b.decimal) - independent) < 1e-17L);  // long double carries ~19 digits
  CHECK(b.decimal.size() == 2 + 40);
}

TEST_CASE("a tiny positive gap is never rounded to 0: 1 - 2^(-1e-30)") {
  const Log2Number x = Log2Number::rational(-cpp_rational(1, cpp_int("1000000000000000000000000000000")));
  // -expm1(-1e-30 ln 2) = 6.93147180559945309417232121457936341568541e-31 (Python's decimal
  // module at 80 digits); 40 digits rounded down and up:
  CHECK(format_one_minus_power_of_two(x, 40, Rounding::down) == "6.931471805599453094172321214579363415685e-31");
  CHECK(format_one_minus_power_of_two(x, 40, Rounding::up) == "6.931471805599453094172321214579363415686e-31");
}

TEST_CASE("monotone: the bound rises with L and falls with the bits") {
  cpp_rational previous = -1;
  for (int L = 1; L <= 30; ++L) {
    const auto b = copy_error_lower_bound(state_of_count(1000), 3, L);
    CHECK(*b.exact_value >= previous);
    previous = *b.exact_value;
  }
  std::optional<Log2Number> last_ratio;
  for (const char* bits : {"0", "0.5", "1", "17.25", "1000", "123456.789"}) {
    const auto b = copy_error_lower_bound(state_of_bits(bits_of(bits)), 26, cpp_int(1'000'000));
    if (last_ratio) CHECK((b.log2_ratio - *last_ratio).sign() > 0);  // |S|/D^L rises: the bound falls
    last_ratio = b.log2_ratio;
  }
  cpp_int last_length = 0;
  for (int bits = 0; bits <= 64; bits += 8) {
    const cpp_int L = max_copy_length(state_of_bits(bits), 3, q(1, 10));
    CHECK(L >= last_length);
    last_length = L;
  }
}

TEST_CASE("inverse queries at exact ties (power-of-two cases)") {
  // err <= 1/2 possible iff 2^B / 2^L > 1/2 iff L < B + 1.
  CHECK(max_copy_length(state_of_bits(10), 2, q(1, 2)) == 10);
  CHECK(max_copy_length(state_of_bits(10), 4, q(1, 2)) == 5);  // 2L < 11
  CHECK(max_copy_length(state_of_bits(9), 4, q(1, 2)) == 4);   // 2L < 10: L = 5 is the tie, excluded
  CHECK(max_copy_length(state_of_bits(0), 2, q(1, 2)) == 0);
  CHECK(max_copy_length(state_of_count(81), 3, q(1, 2)) == 4);  // 81 / 3^L > 1/2 iff L <= 4
  // B > L log2 D + log2(1 - eps).
  CHECK(min_state_bits(2, 10, q(1, 2)) == 10);     // B > 9
  CHECK(min_state_bits(2, 10, q(3, 4)) == 9);      // B > 8
  CHECK(min_state_bits(3, 5, q(1, 2)) == 7);       // 2^B > 121.5
  CHECK(min_state_bits(2, 1, q(999, 1000)) == 0);  // one state: err = 1/2 < 0.999
}

TEST_CASE(
    "the exact write-out limit is one rule: |S| = 2^k from bits or from a count, the same up to 2^kExactWriteOutBits") {
  const std::uint64_t k = kExactWriteOutBits;
  const cpp_int at_limit = power(cpp_int(2), k), past = power(cpp_int(2), k + 1);
  CHECK(written_out_exactly(at_limit));
  CHECK(written_out_exactly(past - 1));
  CHECK_FALSE(written_out_exactly(past));
  // The same state space counted both ways is written out both ways, or neither.
  CHECK(state_of_bits(cpp_rational(k)).count == at_limit);
  CHECK(state_of_count(at_limit).count == at_limit);
  CHECK_FALSE(state_of_bits(cpp_rational(k + 1)).count);
  CHECK_FALSE(state_of_count(past).count);
}
