// Training speed of the three default models (steps/s, tokens/s) next to an in-cache
// Eigen float GEMM measured in the same run, so the ratio holds on a busy machine.
//
// Flop count of a transformer step (reported as "flops" counter, GFLOP/s in the UserCounters):
// every matrix product of the forward (qkv, attention scores and mixing over the full T x T
// score matrices, output projection, MLP, head) at 2 flops per multiply-add, times 3 for
// forward + backward (the backward does two products of each forward product's size).
// Elementwise work (norms, softmax, GELU, AdamW) is not counted.

#include <benchmark/benchmark.h>

#include <copyproof/trained/adamw.hpp>
#include <copyproof/trained/network.hpp>
#include <copyproof/trained/tasks.hpp>
#include <copyproof/trained/trainer.hpp>

#include <omp.h>

using namespace copyproof;
using namespace copyproof::trained;

namespace {

// Default training shape: batch 32, lengths 5-20 (padded T = 2 * 20 + 2 = 42 at most).
constexpr int kBatch = 32;

void train_steps(benchmark::State& state, ModelKind kind, int threads) {
  const auto net = make_network<float>(default_config(kind, kVocab));
  Buffer<float> params(net->parameter_count());
  net->init(params.data(), 1);
  TrainConfig tc;
  tc.task = Task::copy;
  tc.min_length = 5;
  tc.max_length = 20;
  tc.batch = kBatch;
  tc.steps = 1;
  tc.warmup = 1;
  tc.threads = threads;
  long long tokens = 0, steps = 0;
  double flops = 0;
  for (auto _ : state) {
    tc.seed = static_cast<std::uint64_t>(steps);
    train(*net, params, tc, [](const TrainProgress&) {});
    const TokenBatch b = make_batch(tc.task, tc.batch, tc.min_length, tc.max_length, tc.ngram, tc.seed, 0);
    tokens += b.real_token_count();  // padding is not work done for the task
    if (kind == ModelKind::transformer) {
      const auto& c = net->config();
      const double N = static_cast<double>(b.B) * b.T, C = c.width, T = b.T;
      const double per_layer =
          2 * N * (3 * C * C + C * C + 8 * C * C) + 2 * 2 * N * T * C;  // projections + scores/mixing
      flops += 3 * (c.layers * per_layer + 2 * N * C * c.vocab);
    }
    ++steps;
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
  if (flops > 0) state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsRate);
}

// The reference: a 64 x 64 by 64 x 256 float product (the MLP's shape for one sequence
// block), 64 KiB of operands, in L2; one thread.
void gemm_reference(benchmark::State& state) {
  // One thread: Eigen's own threading is compiled out (EIGEN_DONT_PARALLELIZE, CMakeLists.txt).
  const int M = static_cast<int>(state.range(0)), K = 64, Nn = 256;
  Matrix<float> a = Matrix<float>::Random(M, K), b = Matrix<float>::Random(K, Nn), c(M, Nn);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * M * K * Nn * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(gemm_reference)->Arg(336)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(train_steps, transformer_1thread, ModelKind::transformer, 1)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3)
    ->UseRealTime();
BENCHMARK_CAPTURE(train_steps, transformer_2threads, ModelKind::transformer, 2)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3)
    ->UseRealTime();
BENCHMARK_CAPTURE(train_steps, mamba_2threads, ModelKind::mamba, 2)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3)
    ->UseRealTime();
BENCHMARK_CAPTURE(train_steps, lstm_2threads, ModelKind::lstm, 2)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3)
    ->UseRealTime();

BENCHMARK_MAIN();
