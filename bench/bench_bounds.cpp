// bench_bounds: every `bound` query in milliseconds even at L = 1e18 (issue 3), and exact
// p_ngram for D=2, n=5, L=24 under a second. References in the same run: the same bound
// in double precision (which says "1"), and plain enumeration for p_ngram.

#include <benchmark/benchmark.h>

#include <cmath>

#include "copyproof/ssm_bounds/copy_error_bound.hpp"
#include "copyproof/ssm_bounds/ngram_probability.hpp"
#include "copyproof/ssm_bounds/transformer_side.hpp"

namespace sb = copyproof::ssm_bounds;

namespace {

const sb::cpp_int kHugeLength("1000000000000000000");  // 1e18

void BM_BoundExactHuge(benchmark::State& state) {  // D = 65536, L = 1e18, 1e6 bits
  const auto states = sb::state_of_bits(1'000'000);
  for (auto _ : state) benchmark::DoNotOptimize(sb::copy_error_lower_bound(states, 65536, kHugeLength));
}
BENCHMARK(BM_BoundExactHuge)->Unit(benchmark::kMillisecond);

void BM_BoundExactIrrational(benchmark::State& state) {  // D = 50277: log2 D irrational
  const auto states = sb::state_of_numbers(700416, 16);
  for (auto _ : state) benchmark::DoNotOptimize(sb::copy_error_lower_bound(states, 50277, kHugeLength));
}
BENCHMARK(BM_BoundExactIrrational)->Unit(benchmark::kMillisecond);

void BM_BoundDoubleReference(benchmark::State& state) {  // what a naive double gives: exactly 1
  double bits = 1e6, length = 1e18, alphabet = 65536;
  for (auto _ : state) {
    benchmark::DoNotOptimize(bits);
    benchmark::DoNotOptimize(1.0 - std::exp2(bits - length * std::log2(alphabet)));
  }
}
BENCHMARK(BM_BoundDoubleReference);

void BM_MaxCopyLength(benchmark::State& state) {
  const auto states = sb::state_of_numbers(700416, 16);
  const sb::cpp_rational epsilon(1, 100);
  for (auto _ : state) benchmark::DoNotOptimize(sb::max_copy_length(states, 50277, epsilon));
}
BENCHMARK(BM_MaxCopyLength)->Unit(benchmark::kMillisecond);

void BM_MinStateBits(benchmark::State& state) {
  const sb::cpp_rational epsilon(1, 100);
  for (auto _ : state) benchmark::DoNotOptimize(sb::min_state_bits(50277, kHugeLength, epsilon));
}
BENCHMARK(BM_MinStateBits)->Unit(benchmark::kMillisecond);

void BM_TransformerSide(benchmark::State& state) {  // Corollary 2.5 at L = 1e18, D = 2
  const sb::cpp_rational epsilon(1, 100);
  for (auto _ : state) benchmark::DoNotOptimize(sb::transformer_side(2, kHugeLength, epsilon));
}
BENCHMARK(BM_TransformerSide)->Unit(benchmark::kMillisecond);

void BM_PngramTrails_2_5_24(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(sb::count_de_bruijn_trails({2, 5, 24}));
}
BENCHMARK(BM_PngramTrails_2_5_24)->Unit(benchmark::kMillisecond);

void BM_PngramTrails_2_5_20(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(sb::count_de_bruijn_trails({2, 5, 20}));
}
BENCHMARK(BM_PngramTrails_2_5_20)->Unit(benchmark::kMillisecond);

void BM_PngramEnumeration_2_5_20(benchmark::State& state) {  // reference: all 2^20 strings, one thread
  for (auto _ : state) benchmark::DoNotOptimize(sb::enumerate_all_strings({2, 5, 20}, 1));
}
BENCHMARK(BM_PngramEnumeration_2_5_20)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
