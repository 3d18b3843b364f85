// The prefix copier: what it emits, and the census the Theorem 2.7 claim relies on.
#include <doctest/doctest.h>

#include "copyproof/ssm_bounds/prefix_copier.hpp"

using namespace copyproof::ssm_bounds;

TEST_CASE("it emits the stored prefix, then the guess 0, then EOS") {
  const PrefixCopier copier(3, 5, 2);
  CHECK(copier.run({2, 1, 0, 0, 0}) == std::vector<int>{2, 1, 0, 0, 0, copier.eos()});  // copied
  CHECK(copier.run({2, 1, 0, 2, 0}) == std::vector<int>{2, 1, 0, 0, 0, copier.eos()});  // letter 4 lost
}

TEST_CASE("census: D^m copied strings and D^m post-COPY states, by hand for D=2, L=4") {
  for (int m = 0; m <= 4; ++m) {
    const auto census = run_copier_on_all_strings(2, 4, m);
    CHECK(census.strings == 16);
    CHECK(census.copied == (1 << m));
    CHECK(census.post_copy_states == (1 << m));
    CHECK(census.reachable_states > census.post_copy_states);  // reading-phase states come on top
  }
}

TEST_CASE("bad sizes are refused") {
  CHECK_THROWS_AS(PrefixCopier(2, 4, 5), std::invalid_argument);
  CHECK_THROWS_AS(run_copier_on_all_strings(2, 30, 1), std::invalid_argument);
}
