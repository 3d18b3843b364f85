// Layer-2 attention of the copy transformer on the shapes `copyproof verify` runs
// (D = 4, n = 8: d_k = 25, d_v = 3, B(4, 8), L = 65543; D = 2, n = 20: d_k = 41, d_v = 2,
// a uniform string of L = 32768), all in one run:
//   - the float path (attend: the hand-written kernel, and the Eigen path it replaced, in the
//     same run), next to an in-cache Eigen float GEMM. Flops are counted as
//     2 (d_k + d_v) per query-key pair (scores and the value sum; the exp is not counted);
//   - the exact path (bit planes, bitplane_attention.hpp): level statistics and each row's
//     softmax by levels, with its ratio to the float path ("vs_float");
//   - two ceiling microkernels that only score every pair and keep a running maximum: the
//     bit-plane popcount one (VPOPCNTD) and an int8 VNNI one (VPDPBUSD), to choose the
//     exact path's inner loop and to read its fraction of the ceiling ("vs_ceiling").
//
//   ./build/bench_attention --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>
#include <omp.h>

#include <Eigen/Core>
#include <atomic>
#include <chrono>
#include <map>

#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
#include <immintrin.h>
#define BENCH_POPCOUNT 1
#endif
#if defined(__AVX512F__) && defined(__AVX512VNNI__)
#define BENCH_VNNI 1
#endif

#include "copyproof/common/resident_heap.hpp"
#include "copyproof/construction/attention.hpp"
#include "copyproof/construction/bitplane_attention.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/integer_attention.hpp"
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
  cx::IntegerHeadInputs integer;  // the same inputs rounded (the exact path's)
  cx::BitPlaneHead planes;
};

// Shape 0: D = 4, n = 8 on B(4, 8). Shape 1: D = 2, n = 20 on a uniform string.
const Layer2Shapes& layer2_inputs(int shape) {
  static std::map<int, Layer2Shapes> cache;
  if (auto it = cache.find(shape); it != cache.end()) return it->second;
  const auto x =
      shape == 0 ? cx::debruijn_source(4, 8, 1, 0)->string(0) : cx::uniform_source(2, 32768, 1, 1)->string(0);
  const auto length = static_cast<std::int64_t>(x.size());
  const cx::CopyTransformer ct =
      shape == 0 ? cx::build_copy_transformer(4, 8, length) : cx::build_copy_transformer(2, 20, length);
  const cx::TypedTransformer<float> typed(ct.model);
  Layer2Shapes& s = cache[shape];
  s.positions = cx::copy_output_positions(length);
  const auto r = cx::forward(typed, cx::teacher_forced_sequence(ct.vocab, x), s.positions, cx::ForwardOptions{2});
  const auto& head = typed.layers.back().front();
  cx::RowMatrix<float> xq(static_cast<Eigen::Index>(s.positions.size()), typed.d_model);
  for (std::size_t i = 0; i < s.positions.size(); ++i)
    xq.row(static_cast<Eigen::Index>(i)) = r.last_layer_input.row(s.positions[i]);
  s.queries = xq * head.query_t;
  s.keys = r.last_layer_input * head.key_t;
  s.values = r.last_layer_input * head.value_t;
  for (auto p : s.positions) s.pairs += p + 1;
  s.integer = cx::round_last_layer_head(typed, r.last_layer_input, s.positions, 0, cx::IntegerRounding{true});
  s.planes = cx::BitPlaneHead(s.integer);
  return s;
}

// pairs/s of the float path per (shape, threads), for the exact path's ratio.
std::map<std::pair<int, int>, double>& float_rates() {
  static std::map<std::pair<int, int>, double> rates;
  return rates;
}

void set_common_counters(benchmark::State& state, const Layer2Shapes& s, double pairs_per_second) {
  state.counters["pairs/s"] = pairs_per_second;
  state.counters["L"] = static_cast<double>(s.positions.size() - 1);
  state.counters["d_k"] = static_cast<double>(s.queries.cols());
}

void BM_EigenGemmInCache(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(gemm_gflops(threads));
  state.counters["GFLOP/s"] = gemm_gflops(threads);
}

// range(2): 0 = attend<float> as verify runs it (the hand-written kernel), 1 = the Eigen path
// it replaced (FloatAttentionKernel::eigen), for the before/after ratio in one run.
void BM_Layer2Attention(benchmark::State& state) {
  const int shape = static_cast<int>(state.range(0)), threads = static_cast<int>(state.range(1));
  const auto kernel = state.range(2) == 0 ? cx::FloatAttentionKernel::automatic : cx::FloatAttentionKernel::eigen;
  copyproof::keep_freed_memory_resident();  // the same allocator settings as the reference
  const Layer2Shapes& s = layer2_inputs(shape);
  const double gemm = gemm_gflops(threads);
  cx::RowMatrix<float> out(s.queries.rows(), s.values.cols());
  std::vector<float> lse(static_cast<std::size_t>(s.queries.rows()));
  const cx::AttentionProblem<float> problem{s.queries, s.positions, s.keys, s.values, 0.0, cx::RelativeWindow{}};
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    cx::attend_float(problem, out, lse.data(), threads, kernel);
    benchmark::DoNotOptimize(out.data());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double flops_per_pair = 2.0 * static_cast<double>(s.queries.cols() + s.values.cols());
  const double pairs_per_second = static_cast<double>(s.pairs) * static_cast<double>(state.iterations()) / seconds;
  if (state.range(2) == 0) float_rates()[{shape, threads}] = pairs_per_second;
  state.SetLabel(cx::to_string(cx::resolve(kernel)));
  set_common_counters(state, s, pairs_per_second);
  state.counters["GFLOP/s"] = pairs_per_second * flops_per_pair / 1e9;
  state.counters["gemm_GFLOP/s"] = gemm;
  state.counters["vs_gemm"] = pairs_per_second * flops_per_pair / 1e9 / gemm;
}

// The ceilings: every pair of the causal triangle scored, a running maximum kept.
#ifdef BENCH_POPCOUNT
std::int64_t popcount_ceiling(const cx::BitPlaneHead& h, std::span<const std::int64_t> positions, int threads) {
  const auto rows = static_cast<std::int64_t>(positions.size());
  std::int64_t sink = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : sink)
  for (std::int64_t block = 0; block < (rows + 63) / 64; ++block) {
    for (std::int64_t t0 = 0; t0 <= positions[static_cast<std::size_t>(std::min(rows, block * 64 + 64) - 1)];
         t0 += cx::kBitPlaneKeyTile)
      for (std::int64_t r = block * 64; r < std::min(rows, block * 64 + 64); ++r) {
        const std::int64_t end = std::min(positions[static_cast<std::size_t>(r)] + 1, t0 + cx::kBitPlaneKeyTile);
        __m512i best = _mm512_set1_epi32(-1000000);
        __m512i qn[4], qs[4];
        for (int w = 0; w < h.words(); ++w) {
          qn[w] = _mm512_set1_epi32(static_cast<int>(h.query_nonzero(r)[w]));
          qs[w] = _mm512_set1_epi32(static_cast<int>(h.query_sign(r)[w]));
        }
        for (std::int64_t g = t0 / 16; g * 16 < end; ++g) {
          __m512i score = _mm512_setzero_si512();
          for (int w = 0; w < h.words(); ++w) {
            const __m512i both = _mm512_and_si512(_mm512_loadu_si512(h.key_nonzero_group(g) + w * 16), qn[w]);
            const __m512i differ =
                _mm512_ternarylogic_epi32(both, _mm512_loadu_si512(h.key_sign_group(g) + w * 16), qs[w], 0x60);
            score = _mm512_add_epi32(
                score, _mm512_sub_epi32(_mm512_popcnt_epi32(both), _mm512_slli_epi32(_mm512_popcnt_epi32(differ), 1)));
          }
          best = _mm512_max_epi32(best, score);
        }
        sink += _mm512_reduce_max_epi32(best);
      }
  }
  return sink;
}
#endif

#ifdef BENCH_VNNI
// Keys as int8 in groups of 16 keys x 4 columns (64 bytes), queries as q + 1 in {0, 1, 2}
// (VPDPBUSD multiplies unsigned by signed bytes): <q, k> = <q + 1, k> - sum k.
struct VnniLayout {
  int groups = 0;                 // d_k / 4, rounded up
  std::vector<std::int8_t> keys;  // [key / 16][group][key % 16][4]
  std::vector<std::int32_t> key_sums;
  std::vector<std::uint8_t> queries;  // [row][group * 4]
};

VnniLayout vnni_layout(const cx::IntegerHeadInputs& in) {
  VnniLayout v;
  v.groups = (in.key_width + 3) / 4;
  const std::int64_t keys = static_cast<std::int64_t>(in.keys.size()) / in.padded_key_width;
  const std::int64_t rows = static_cast<std::int64_t>(in.queries.size()) / in.padded_key_width;
  v.keys.assign(static_cast<std::size_t>((keys + 15) / 16 * 16 * v.groups * 4), 0);
  v.key_sums.assign(static_cast<std::size_t>((keys + 15) / 16 * 16), 0);
  for (std::int64_t j = 0; j < keys; ++j)
    for (int c = 0; c < in.key_width; ++c) {
      const std::int8_t k = in.keys[static_cast<std::size_t>(j * in.padded_key_width + c)];
      v.keys[static_cast<std::size_t>(((j / 16 * v.groups + c / 4) * 16 + j % 16) * 4 + c % 4)] = k;
      v.key_sums[static_cast<std::size_t>(j)] += k;
    }
  v.queries.assign(static_cast<std::size_t>(rows * v.groups * 4), 1);
  for (std::int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < in.key_width; ++c)
      v.queries[static_cast<std::size_t>(r * v.groups * 4 + c)] =
          static_cast<std::uint8_t>(in.queries[static_cast<std::size_t>(r * in.padded_key_width + c)] + 1);
  return v;
}

std::int64_t vnni_ceiling(const VnniLayout& v, std::span<const std::int64_t> positions, int threads) {
  const auto rows = static_cast<std::int64_t>(positions.size());
  std::int64_t sink = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : sink)
  for (std::int64_t block = 0; block < (rows + 63) / 64; ++block) {
    for (std::int64_t t0 = 0; t0 <= positions[static_cast<std::size_t>(std::min(rows, block * 64 + 64) - 1)];
         t0 += cx::kBitPlaneKeyTile)
      for (std::int64_t r = block * 64; r < std::min(rows, block * 64 + 64); ++r) {
        const std::int64_t end = std::min(positions[static_cast<std::size_t>(r)] + 1, t0 + cx::kBitPlaneKeyTile);
        const auto* q = reinterpret_cast<const std::int32_t*>(v.queries.data() + r * v.groups * 4);
        __m512i best = _mm512_set1_epi32(-1000000);
        for (std::int64_t g = t0 / 16; g * 16 < end; ++g) {
          __m512i acc = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_loadu_si512(v.key_sums.data() + g * 16));
          const std::int8_t* k = v.keys.data() + g * v.groups * 64;
          for (int c = 0; c < v.groups; ++c)
            acc = _mm512_dpbusd_epi32(acc, _mm512_set1_epi32(q[c]), _mm512_loadu_si512(k + c * 64));
          best = _mm512_max_epi32(best, acc);
        }
        sink += _mm512_reduce_max_epi32(best);
      }
  }
  return sink;
}
#endif

// Ceiling rates per (kernel, shape, threads), for the exact path's fraction.
std::map<std::tuple<int, int, int>, double>& ceiling_rates() {
  static std::map<std::tuple<int, int, int>, double> rates;
  return rates;
}

// range(2): 0 = popcount ceiling, 1 = VNNI ceiling.
void BM_Layer2Ceiling(benchmark::State& state) {
  const int shape = static_cast<int>(state.range(0)), threads = static_cast<int>(state.range(1)),
            kind = static_cast<int>(state.range(2));
  const Layer2Shapes& s = layer2_inputs(shape);
#ifdef BENCH_VNNI
  static std::map<int, VnniLayout> vnni;
  if (kind == 1 && !vnni.count(shape)) vnni[shape] = vnni_layout(s.integer);
#endif
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    std::int64_t sink = 0;
#ifdef BENCH_POPCOUNT
    if (kind == 0) sink = popcount_ceiling(s.planes, s.positions, threads);
#endif
#ifdef BENCH_VNNI
    if (kind == 1) sink = vnni_ceiling(vnni[shape], s.positions, threads);
#endif
    if (sink == 0) {
      state.SkipWithError("this kernel is not compiled for the target CPU");
      return;
    }
    benchmark::DoNotOptimize(sink);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double pairs_per_second = static_cast<double>(s.pairs) * static_cast<double>(state.iterations()) / seconds;
  ceiling_rates()[{kind, shape, threads}] = pairs_per_second;
  set_common_counters(state, s, pairs_per_second);
  state.SetLabel(kind == 0 ? "popcount" : "vnni");
}

// The exact path: level statistics per row over every allowed key, merged across key tiles,
// and each row's softmax by levels (finish_level_softmax).
void BM_Layer2Exact(benchmark::State& state) {
  const int shape = static_cast<int>(state.range(0)), threads = static_cast<int>(state.range(1));
  const Layer2Shapes& s = layer2_inputs(shape);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    std::atomic<double> checksum{0};
    cx::bitplane_attention_blocks(s.planes, s.positions, cx::RelativeWindow{}, threads, cx::PopcountKernel::automatic,
                                  [&](std::int64_t first, std::span<const cx::HostLevelStats> stats) {
                                    double out[cx::kMaxLevelValueWidth], sum = 0;
                                    for (std::size_t i = 0; i < stats.size(); ++i) {
                                      const std::int64_t seen = s.positions[static_cast<std::size_t>(first) + i] + 1;
                                      cx::finish_level_softmax(stats[i], seen, s.planes.unit(), s.planes.value_bound,
                                                               s.planes.value_width(), out);
                                      sum += out[0];
                                    }
                                    checksum.fetch_add(sum);
                                  });
    benchmark::DoNotOptimize(checksum.load());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double pairs_per_second = static_cast<double>(s.pairs) * static_cast<double>(state.iterations()) / seconds;
  set_common_counters(state, s, pairs_per_second);
  if (auto it = float_rates().find({shape, threads}); it != float_rates().end())
    state.counters["vs_float"] = pairs_per_second / it->second;
  if (auto it = ceiling_rates().find({0, shape, threads}); it != ceiling_rates().end())
    state.counters["vs_popcount_ceiling"] = pairs_per_second / it->second;
  if (auto it = ceiling_rates().find({1, shape, threads}); it != ceiling_rates().end())
    state.counters["vs_vnni_ceiling"] = pairs_per_second / it->second;
  state.SetLabel(cx::to_string(cx::resolve(cx::PopcountKernel::automatic)));
}

}  // namespace

BENCHMARK(BM_EigenGemmInCache)->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond);
// Order matters: the float path and the ceilings run first, the exact path reports its ratios to them.
BENCHMARK(BM_Layer2Attention)
    ->ArgsProduct({{0, 1}, {1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);
BENCHMARK(BM_Layer2Ceiling)
    ->ArgsProduct({{0, 1}, {1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_Layer2Exact)->ArgsProduct({{0, 1}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

BENCHMARK_MAIN();
