// Corollary 2.5: the smallest n for (D, L, eps), and sizes taken from construction/.
#include <doctest/doctest.h>

#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/ssm_bounds/transformer_side.hpp"

using namespace copyproof::ssm_bounds;

TEST_CASE("smallest n by hand: D=2, L=10, eps=1/100") {
  // Sharp form C(11-n, 2) 2^-n: n=8 gives 3/256 > 0.01, n=9 gives 1/512 <= 0.01.
  CHECK(min_ngram_pairs_form(2, 10, cpp_rational(1, 100)) == 9);
  // Paper form 100 * 2^-n <= 0.01 iff 2^n >= 10^4: n = 14.
  CHECK(min_ngram_paper_form(2, 10, cpp_rational(1, 100)) == 14);
  // The boundary is inclusive: 100 * 2^-n <= 100/1024 at n = 10.
  CHECK(min_ngram_paper_form(2, 10, cpp_rational(100, 1024)) == 10);
}

TEST_CASE("n grows like log_D(L^2/eps): L = 1e18 over D = 65536 needs n = 9 at eps = 1e-6") {
  const cpp_int L("1000000000000000000");
  // L^2 / eps = 1e42 ~ 2^139.5, and 65536^9 = 2^144 is the first power past it.
  CHECK(min_ngram_paper_form(65536, L, cpp_rational(1, 1000000)) == 9);
  CHECK(min_ngram_pairs_form(65536, L, cpp_rational(1, 1000000)) == 9);  // C(L,2) ~ L^2/2: 2^138.5
}

TEST_CASE("sizes come from the construction, not from a second formula") {
  const auto side = transformer_side(2, 10, cpp_rational(1, 100));
  REQUIRE(side.shape);
  const auto expected = copyproof::construction::copy_transformer_shape(2, 9);
  CHECK(side.shape->d_model == expected.d_model);
  CHECK(side.shape->params == expected.params);
  CHECK(side.kv_numbers_at_copy == cpp_int(expected.kv_numbers_per_token) * 12);  // BOS, 10 letters, COPY
  CHECK(side.lambda_bits >= 1);
}

TEST_CASE("past the construction's d_model cap the shape is absent, with the reason") {
  // D = 65536 has 17-bit codes; n = 200 would need d_model = 401 * 17 + 3 > 4096.
  const auto side = transformer_side(65536, cpp_int(100000), cpp_rational(1, cpp_int(10) << 3000));
  CHECK(side.ngram > 119);
  CHECK_FALSE(side.shape);
  CHECK(side.unavailable_reason.find("4096") != std::string::npos);
}
