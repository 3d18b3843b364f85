// p_ngram: closed forms and hand cases, trail count vs enumeration, Monte Carlo vs exact,
// the repeat detector on planted strings, and Lemma 2.4.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <boost/math/distributions/binomial.hpp>

#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/verifier.hpp"
#include "copyproof/construction/verify_plan.hpp"
#include "copyproof/ssm_bounds/binomial_confidence.hpp"
#include "copyproof/ssm_bounds/ngram_probability.hpp"
#include "copyproof/ssm_bounds/ngram_repeat_detector.hpp"

using namespace copyproof::ssm_bounds;

TEST_CASE("hand cases") {
  // D=2, n=1, L=2: 00 and 11 repeat a letter.
  CHECK(exact_ngram_probability({2, 1, 2})->probability == cpp_rational(1, 2));
  // D=2, n=2, L=3: of the 8 strings only 000 and 111 repeat a 2-gram.
  CHECK(count_de_bruijn_trails({2, 2, 3})->probability == cpp_rational(1, 4));
  CHECK(enumerate_all_strings({2, 2, 3}).probability == cpp_rational(1, 4));
}

TEST_CASE("closed forms") {
  CHECK(closed_form_ngram_probability({5, 3, 3})->probability == 0);  // one n-gram
  CHECK(closed_form_ngram_probability({2, 2, 6})->probability == 1);  // 5 2-grams, 4 kinds
  // n = 1: all letters distinct with probability 26*25*24*23 / 26^4.
  CHECK(closed_form_ngram_probability({26, 1, 4})->probability ==
        1 - cpp_rational(26 * 25 * 24 * 23, 26 * 26 * 26 * 26));
  CHECK_FALSE(closed_form_ngram_probability({2, 3, 9}));
}

TEST_CASE("trail count equals enumeration on every small case") {
  for (int D = 2; D <= 4; ++D)
    for (int n = 1; n <= 4; ++n)
      for (int L = 1; L <= 9; ++L) {
        if (std::pow(D, L) > 70000) continue;
        const NgramQuery q{D, n, L};
        const auto trails = count_de_bruijn_trails(q);
        REQUIRE(trails);
        CAPTURE(D);
        CAPTURE(n);
        CAPTURE(L);
        CHECK(trails->probability == enumerate_all_strings(q).probability);
        // Lemma 2.4, both forms.
        CHECK(trails->probability <= lemma_bound_pairs(q));
        CHECK(lemma_bound_pairs(q) <= lemma_bound_paper(q));
      }
}

TEST_CASE("D=2, n=5, L=24 exactly (the performance target size)") {
  const auto p = exact_ngram_probability({2, 5, 24});
  REQUIRE(p);
  CHECK(p->method == NgramMethod::de_bruijn_trails);
  // 218652: also the count of a one-off brute force over all 2^24 strings (2.6 s, so not
  // kept in the suite; the enumeration cross-check above covers the method).
  CHECK(p->strings_without_repeat == 218652);
}

TEST_CASE("the closed forms of p = 0 and p = 1 never form D^L; counts are written out up to kExactWriteOutBits") {
  // Pigeonhole at the largest D and L: D^L would have 2^36 bits (it was formed, and crashed).
  const auto all_repeat = exact_ngram_probability({65536, 1, std::int64_t{1} << 32});
  REQUIRE(all_repeat);
  CHECK(all_repeat->probability == 1);
  CHECK(all_repeat->strings_without_repeat == cpp_int(0));
  // L <= n: p = 0, and the count D^L is kept exactly when it has at most kExactWriteOutBits bits.
  const auto bits = static_cast<std::int64_t>(kExactWriteOutBits);
  const auto at_limit = exact_ngram_probability({2, static_cast<int>(bits), bits});  // 2^4096: msb 4096
  REQUIRE(at_limit);
  CHECK(at_limit->probability == 0);
  CHECK(at_limit->strings_without_repeat == power(cpp_int(2), kExactWriteOutBits));
  const auto past_limit = exact_ngram_probability({2, static_cast<int>(bits + 1), bits + 1});
  REQUIRE(past_limit);
  CHECK(past_limit->probability == 0);
  CHECK_FALSE(past_limit->strings_without_repeat);
  const auto largest = exact_ngram_probability({65536, 1 << 20, 1 << 20});  // 2^24 bits: not formed
  REQUIRE(largest);
  CHECK(largest->probability == 0);
  CHECK_FALSE(largest->strings_without_repeat);
  // n = 1: the count 65536 x 65535 x ... x (65536 - L + 1) has at most 4096 bits up to
  // L = 256 (4097 bits, msb 4096) and 4112 at L = 257; p's reduced fraction (the count's
  // factors of two cancel against D^L = 2^16L) fits up to L = 273 and needs 4098 bits at
  // L = 274 (both edges found with Python's exact fractions).
  const auto count_fits = exact_ngram_probability({65536, 1, 256});
  const auto count_over = exact_ngram_probability({65536, 1, 257});
  REQUIRE(count_fits);
  REQUIRE(count_over);
  CHECK(count_fits->strings_without_repeat == falling_factorial(cpp_int(65536), 256));
  CHECK_FALSE(count_over->strings_without_repeat);
  CHECK(probability_written_out(*count_over));
  const auto fraction_fits = exact_ngram_probability({65536, 1, 273});
  const auto fraction_over = exact_ngram_probability({65536, 1, 274});
  REQUIRE(fraction_fits);
  REQUIRE(fraction_over);
  CHECK(probability_written_out(*fraction_fits));
  CHECK_FALSE(probability_written_out(*fraction_over));
  CHECK(fraction_over->probability ==
        1 - cpp_rational(falling_factorial(cpp_int(65536), 274), power(cpp_int(65536), 274)));
}

TEST_CASE("enumeration's limit D^L <= kEnumerationStringLimit, decided without forming D^L") {
  static_assert(kEnumerationStringLimit == std::uint64_t{1} << 20);  // the edges below: 1024^2 = 2^20
  CHECK(enumerate_all_strings({1024, 1, 2}).probability == cpp_rational(1, 1024));
  CHECK_THROWS_AS(enumerate_all_strings({1025, 1, 2}), std::invalid_argument);
  CHECK_THROWS_AS(enumerate_all_strings({2, 1, 21}), std::invalid_argument);
  CHECK_THROWS_AS(enumerate_all_strings({898, 1 << 20, std::int64_t{1} << 32}), std::invalid_argument);  // was minutes
}

TEST_CASE("the trail search gives up past its budget instead of running long") {
  CHECK_FALSE(count_de_bruijn_trails({2, 20, 40}, 1000));
}

TEST_CASE("Monte Carlo agrees with the exact value, and does not depend on threads") {
  const NgramQuery q{3, 3, 12};
  const double exact = static_cast<double>(exact_ngram_probability(q)->probability);
  const auto one = estimate_ngram_probability(q, 20000, 7, 1);
  const auto two = estimate_ngram_probability(q, 20000, 7, 2);
  CHECK(one.hits == two.hits);  // per-sample streams: the split over threads does not matter
  const double sd = std::sqrt(exact * (1 - exact) / 20000);
  CHECK(std::fabs(one.probability - exact) < 4 * sd);  // 4 sd: a fixed seed, a 6e-5 chance by design
  CHECK(one.ci_low <= one.probability);
  CHECK(one.probability <= one.ci_high);
}

TEST_CASE("Wilson interval by hand: 0 of 10 and 5 of 10") {
  const auto [lo0, hi0] = wilson_interval_95(0, 10);
  CHECK(lo0 == 0.0);
  CHECK(hi0 == doctest::Approx(0.27753).epsilon(1e-4));  // z^2/(n+z^2) with z = 1.96: tabulated value
  const auto [lo5, hi5] = wilson_interval_95(5, 10);
  CHECK(lo5 == doctest::Approx(0.23659).epsilon(1e-4));
  CHECK(hi5 == doctest::Approx(0.76341).epsilon(1e-4));
}

TEST_CASE("repeat detector: packed keys and hashed keys find planted repeats, nothing else") {
  for (const int n : {3, 5}) {  // D = 65536: 3 letters pack into 48 bits, 5 need 80 (hashed)
    NgramRepeatDetector detector(65536, n, 64);
    CHECK(detector.packs_into_64_bits() == (n == 3));
    detector.reset();
    bool found = false;
    for (int i = 0; i < 60; ++i) found = found || detector.push(static_cast<std::uint16_t>(1000 * i + 7));
    CHECK_FALSE(found);  // all letters distinct
    detector.reset();
    const std::vector<std::uint16_t> planted = {9, 1, 2, 3, 4, 5, 8, 1, 2, 3, 4, 5};
    std::size_t first_hit = 0;
    for (std::size_t i = 0; i < planted.size() && first_hit == 0; ++i)
      if (detector.push(planted[i])) first_hit = i;
    CHECK(first_hit == (n == 3 ? 9u : 11u));  // the second "1 2 3" ends at 9, "1 2 3 4 5" at 11
  }
}

TEST_CASE("Lemma 2.4 in log form matches the exact form") {
  const NgramQuery q{26, 3, 200};
  CHECK(log2_lemma_bound_pairs(q).exact_power_of_two(kExactWriteOutBits) == lemma_bound_pairs(q));
  CHECK(log2_lemma_bound_paper(q).exact_power_of_two(kExactWriteOutBits) == lemma_bound_paper(q));
  CHECK(ngram_pairs(q) == 198 * 197 / 2);
}

TEST_CASE("Clopper-Pearson one-sided bounds: closed forms and the binomial tail they invert") {
  // k = n: P(X >= n | p) = p^n, so p_low = (1 - c)^(1/n); k = 0: p_high = 1 - (1 - c)^(1/n).
  CHECK(clopper_pearson_lower(10, 10, 0.999) == doctest::Approx(std::pow(0.001, 0.1)).epsilon(1e-12));
  CHECK(clopper_pearson_upper(0, 10, 0.999) == doctest::Approx(1 - std::pow(0.001, 0.1)).epsilon(1e-12));
  CHECK(clopper_pearson_lower(0, 10, 0.999) == 0.0);
  CHECK(clopper_pearson_upper(10, 10, 0.999) == 1.0);
  for (auto [k, n] : {std::pair<std::uint64_t, std::uint64_t>{1, 7}, {342, 4000}, {3999, 4000}, {50, 100}}) {
    const double low = clopper_pearson_lower(k, n, 0.999), high = clopper_pearson_upper(k, n, 0.999);
    const double phat = static_cast<double>(k) / static_cast<double>(n);
    CHECK(low < phat);
    CHECK(high > phat);
    // The bound inverts the tail: P(X >= k | n, low) = 0.001 and P(X <= k | n, high) = 0.001
    // (1e-9: Boost's ibeta_inv/cdf agree to near double precision).
    const boost::math::binomial_distribution<double> at_low(static_cast<double>(n), low),
        at_high(static_cast<double>(n), high);
    CHECK(boost::math::cdf(boost::math::complement(at_low, static_cast<double>(k) - 1)) ==
          doctest::Approx(0.001).epsilon(1e-9));
    CHECK(boost::math::cdf(at_high, static_cast<double>(k)) == doctest::Approx(0.001).epsilon(1e-9));
  }
  // The rule of the uniform-* claims: the audit's uniform-26-3-60 had p ~ 0.0856 against a
  // bound 0.0940, and a plain "fraction <= bound" failed 2 seeds in 40. A fraction above the
  // bound by sampling noise does not refute it; one far above does.
  CHECK(380.0 / 4000 > 0.094);
  CHECK_FALSE(refutes_upper_bound(380, 4000, 0.094, 0.999));
  CHECK(refutes_upper_bound(500, 4000, 0.094, 0.999));
  CHECK(clopper_pearson_lower(5, 4000, 0.999) > 0);
  CHECK_THROWS(clopper_pearson_lower(5, 4, 0.999));
  CHECK_THROWS(clopper_pearson_lower(1, 4, 1.0));
}

TEST_CASE("Lemma 2.4: the verifier's double bound is the exact rational one rounded, to its last bit") {
  // construction::lemma_bound (double, used by verify, check and the figures) against
  // lemma_bound_pairs (exact rational): min(1, C(L - n + 1, 2) D^-n). The double must be one
  // of the two doubles around the exact value (verifier.cpp: under 2^-61 relative before the
  // last rounding); how many are the nearest one is reported. Edges: no pair (L <= n), one
  // pair (L = n + 1), the bound crossing 1, the longest L a check runs (2^40), the largest n.
  namespace cx = copyproof::construction;
  int checked = 0, nearest = 0;
  for (const int D : {2, 3, 4, 26, 255, 65536})
    for (const int n : {1, 2, 3, 8, 20, cx::max_ngram(D)}) {
      // C(s, 2) ~ D^n at s ~ sqrt(2 D^n): the bound crosses 1 there (when that is a length).
      const double crossing = std::sqrt(2.0) * std::pow(static_cast<double>(D), n / 2.0) + n - 1;
      std::vector<std::int64_t> lengths = {1, n, n + 1, n + 2, 60, 1000, 1000003, cx::kMaxVerifyLength};
      if (crossing < static_cast<double>(cx::kMaxVerifyLength))
        for (std::int64_t d = -2; d <= 2; ++d) lengths.push_back(static_cast<std::int64_t>(crossing) + d);
      for (const std::int64_t L : lengths) {
        if (L < 1) continue;
        const NgramQuery q{D, n, L};
        // C(L - n + 1, 2) / D^n exactly; lemma_bound_pairs where it writes D^n out (n <= 240).
        const cpp_rational pairs_bound =
            L - n + 1 < 2 ? cpp_rational(0)
                          : cpp_rational(ngram_pairs(q), power(cpp_int(D), static_cast<std::uint64_t>(n)));
        if (L - n + 1 >= 2 && lemma_bound_written_out(q)) CHECK(pairs_bound == lemma_bound_pairs(q));
        const cpp_rational exact = pairs_bound > 1 ? cpp_rational(1) : pairs_bound;
        const double got = cx::lemma_bound(D, n, L);
        const cpp_rational below(std::nextafter(got, -1.0)), at(got), above(std::nextafter(got, 2.0));
        INFO("D = " << D << ", n = " << n << ", L = " << L << ", got " << got);
        CHECK(below < exact);
        CHECK(exact < above);
        const cpp_rational error = abs(exact - at);
        if (error <= abs(exact - below) && error <= abs(exact - above)) ++nearest;
        ++checked;
      }
    }
  MESSAGE("Lemma 2.4 in double: " << nearest << " of " << checked << " points are the exact value's nearest double");
  CHECK(checked > 300);
}
