// Layer-2 attention of the copy transformer on the shapes `copyproof verify` runs
// (D = 4, n = 8: d_k = 25, d_v = 3), next to an in-cache Eigen float GEMM measured in
// the same run. Flops are counted as 2 (d_k + d_v) per query-key pair (scores and the
// value sum; the exp is not counted).
//
//   ./build/bench_attention --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>
#include <omp.h>

#include <Eigen/Core>
#include <chrono>
#include <map>

#include "copyproof/common/resident_heap.hpp"
#include "copyproof/construction/attention.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/string_sources.hpp"

namespace cx = copyproof::construction;

namespace {

constexpr int kGemmSize = 256;  // three 256 x 256 float matrices: 768 KiB, inside L2

// GFLOP/s of C += A B for kGemmSize^3 floats, one independent in-cache GEMM per thread
// (Eigen's own threading is off project-wide), timed for ~0.5 s. Eigen allocates its
// packing buffers on every call; kept resident (resident_heap.hpp), as they would be in
// any long-running GEMM user — otherwise the reference measures page faults (30 instead
// of 130 GFLOP/s on the main thread here).
double gemm_gflops(int threads) {
  static std::map<int, double> cache;
  if (auto it = cache.find(threads); it != cache.end()) return it->second;
  copyproof::keep_freed_memory_resident();
  std::int64_t total_reps = 0;
  double seconds = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total_reps) reduction(max : seconds)
  {
    const Eigen::MatrixXf a = Eigen::MatrixXf::Random(kGemmSize, kGemmSize);
    const Eigen::MatrixXf b = Eigen::MatrixXf::Random(kGemmSize, kGemmSize);
    Eigen::MatrixXf c = Eigen::MatrixXf::Zero(kGemmSize, kGemmSize);
    c.noalias() += a * b;  // warm-up
#pragma omp barrier
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < 0.5) {
      c.noalias() += a * b;
      ++total_reps;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    benchmark::DoNotOptimize(c.data());
    seconds = elapsed;
  }
  const double gflops = 2.0 * kGemmSize * kGemmSize * kGemmSize * static_cast<double>(total_reps) / seconds / 1e9;
  return cache[threads] = gflops;
}

struct Layer2Shapes {
  cx::RowMatrix<float> queries, keys, values;
  std::vector<std::int64_t> positions;
  std::int64_t pairs = 0;
};

// The real layer-2 inputs: B(4, 8) through layer 1, then the induction head's projections.
const Layer2Shapes& layer2_inputs() {
  static const Layer2Shapes shapes = [] {
    const auto x = cx::debruijn_source(4, 8, 1, 0)->string(0);
    const auto length = static_cast<std::int64_t>(x.size());
    const cx::CopyTransformer ct = cx::build_copy_transformer(4, 8, length);
    const cx::TypedTransformer<float> typed(ct.model);
    Layer2Shapes s;
    s.positions = cx::copy_output_positions(length);
    const auto r = cx::forward(typed, cx::teacher_forced_sequence(ct.vocab, x), s.positions, cx::ForwardOptions{2});
    const auto& head = typed.layers.back().front();
    cx::RowMatrix<float> xq(static_cast<Eigen::Index>(s.positions.size()), typed.d_model);
    for (std::size_t i = 0; i < s.positions.size(); ++i) xq.row(static_cast<Eigen::Index>(i)) = r.last_layer_input.row(s.positions[i]);
    s.queries = xq * head.query_t;
    s.keys = r.last_layer_input * head.key_t;
    s.values = r.last_layer_input * head.value_t;
    for (auto p : s.positions) s.pairs += p + 1;
    return s;
  }();
  return shapes;
}

void BM_EigenGemmInCache(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(gemm_gflops(threads));
  state.counters["GFLOP/s"] = gemm_gflops(threads);
}

void BM_Layer2Attention(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  copyproof::keep_freed_memory_resident();  // the same allocator settings as the reference
  const Layer2Shapes& s = layer2_inputs();
  const double gemm = gemm_gflops(threads);
  cx::RowMatrix<float> out(s.queries.rows(), s.values.cols());
  std::vector<float> lse(static_cast<std::size_t>(s.queries.rows()));
  const cx::AttentionProblem<float> problem{s.queries, s.positions, s.keys, s.values, 0.0, cx::RelativeWindow{}};
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    cx::attend<float>(problem, out, lse.data(), threads);
    benchmark::DoNotOptimize(out.data());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double flops_per_pair = 2.0 * static_cast<double>(s.queries.cols() + s.values.cols());
  const double pairs_per_second = static_cast<double>(s.pairs) * static_cast<double>(state.iterations()) / seconds;
  state.counters["pairs/s"] = pairs_per_second;
  state.counters["GFLOP/s"] = pairs_per_second * flops_per_pair / 1e9;
  state.counters["gemm_GFLOP/s"] = gemm;
  state.counters["vs_gemm"] = pairs_per_second * flops_per_pair / 1e9 / gemm;
  state.counters["L"] = static_cast<double>(s.positions.size() - 1);
}

}  // namespace

BENCHMARK(BM_EigenGemmInCache)->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Layer2Attention)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

BENCHMARK_MAIN();
