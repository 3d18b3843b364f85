// The GPU backend against the CPU paths, on every position, at lengths around the kernel's
// tile sizes (kLevelRowsPerBlock query rows per block, kLevelKeyTile keys per tile). Runs only where a usable GPU is
// present: elsewhere the program exits 77, which CTest reports as skipped.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../tile_edges.hpp"
#include "copyproof/construction/copy_forward.hpp"
#include "copyproof/construction/hash_copy.hpp"
#include "copyproof/construction/string_sources.hpp"
#include "copyproof/construction/verifier.hpp"
#include "copyproof/gpu/gpu_backend.hpp"
#include "copyproof/gpu/level_attention_lanes.hpp"

using namespace copyproof::construction;
namespace gpu = copyproof::gpu;

namespace {

struct Run {
  CopyForwardResult gpu, cpu_int8, cpu_fp32;
};

Run run_all(const CopyTransformer& ct, const std::vector<Token>& x) {
  const auto sequence = teacher_forced_sequence(ct.vocab, x);
  const auto outputs = copy_output_positions(static_cast<std::int64_t>(x.size()));
  const auto reference = reference_predictions(ct.vocab, ct.parameters.ngram, sequence, outputs);
  std::vector<std::int64_t> probes(outputs.size(), -1);
  for (std::size_t k = 0; k < outputs.size(); ++k)
    if (reference[k].matches == 1) probes[k] = reference[k].match_position;
  const CopyForwardRequest request{sequence, outputs, probes, 4, {}};
  // One block per chunk: every chunk boundary the tile-edge lengths can have.
  return Run{gpu::make_gpu_backend(ct, gpu::GpuOptions{1, 1 << 20})->run(request),
             make_cpu_backend(ct, Precision::int8)->run(request), make_cpu_backend(ct, Precision::fp32)->run(request)};
}

}  // namespace

TEST_CASE("GPU = CPU int8 exactly, and = CPU fp32 wherever certified, at lengths off the tile sizes") {
  for (auto [D, n] : {std::pair{2, 6}, {4, 8}, {3, 5}}) {
    // L + 1 queries and 2L + 2 keys: L around a key tile of keys (2L + 2 = kLevelKeyTile), a
    // key tile of L, and a block of queries (L + 1 = kLevelRowsPerBlock); from the kernel's
    // constants, so a tile changed for speed moves these lengths with it.
    std::vector<std::int64_t> lengths =
        copyproof::testing::around({gpu::kLevelKeyTile / 2 - 1, gpu::kLevelKeyTile, gpu::kLevelRowsPerBlock - 1});
    for (const std::int64_t L : {1, 7, 1000, 4099}) lengths.push_back(L);
    for (const std::int64_t L : lengths) {
      const CopyTransformer ct = build_copy_transformer(D, n, L);
      for (SourceKind kind : {SourceKind::uniform, SourceKind::planted}) {
        if (kind == SourceKind::planted && L < n + 1) continue;
        const auto source = kind == SourceKind::uniform ? uniform_source(D, L, 2, 11) : planted_source(D, n, L, 2, 11);
        for (std::int64_t i = 0; i < source->count(); ++i) {
          const Run r = run_all(ct, source->string(i));
          INFO("D = " << D << ", n = " << n << ", L = " << L << ", string " << i);
          // Same integer statistics, same host finish: the same predictions everywhere, ties included.
          CHECK(r.gpu.predictions == r.cpu_int8.predictions);
          CHECK(r.gpu.uncertified == r.cpu_int8.uncertified);
          CHECK(r.gpu.max_layer1_error <= ct.parameters.layer1_error_bound);
          for (std::size_t k = 0; k < r.gpu.probe_mass.size(); ++k) {
            if (std::isnan(r.cpu_int8.probe_mass[k])) continue;
            // Both exact on the same integers; the only difference is the float layer 1
            // entering the host finish: 1e-9 is far above its effect on a mass.
            CHECK(std::fabs(r.gpu.probe_mass[k] - r.cpu_int8.probe_mass[k]) <= 1e-9);
          }
          if (r.gpu.uncertified == 0) CHECK(r.gpu.predictions == r.cpu_fp32.predictions);
        }
      }
    }
  }
}

TEST_CASE("GPU verify of de Bruijn sequences: the same report as the CPU") {
  for (auto [D, n] : {std::pair{2, 10}, {4, 6}}) {
    VerifyConfig c;
    c.alphabet = D;
    c.ngram = n;
    c.source = SourceKind::debruijn;
    c.samples = 2;
    c.threads = 4;
    const VerifyReport cpu = verify(c);
    const VerifyReport on_gpu = verify(c, {}, [](const CopyTransformer& ct) { return gpu::make_gpu_backend(ct); });
    CHECK(on_gpu.strings_copied == cpu.strings_copied);
    CHECK(on_gpu.violations == 0);
    CHECK(on_gpu.disagreements == 0);
    CHECK(on_gpu.uncertified_predictions == 0);
    // Masses differ only by score rounding (<= e^{2 delta} - 1 relative) and float32 sums.
    CHECK(std::fabs(on_gpu.min_match_mass - cpu.min_match_mass) <= std::expm1(2 * on_gpu.score_rounding_bound) + 1e-5);
  }
}

TEST_CASE("GPU progress: pairs done rise to the verifier's count, chunk by chunk; stages are timed") {
  // L = 4,099: 4,100 queries, 17 blocks of 256 rows; chunks of at least 2 blocks, at most 4
  // chunks: 4 chunks of 5 blocks (the last 2), so 4 reports (derived below from the rule).
  const std::int64_t L = 4099;
  const CopyTransformer ct = build_copy_transformer(2, 6, L);
  const auto x = uniform_source(2, L, 1, 5)->string(0);
  const auto sequence = teacher_forced_sequence(ct.vocab, x);
  const auto outputs = copy_output_positions(L);
  std::int64_t expected = 0;  // position + 1 keys per query: the pairs verify reports
  for (const std::int64_t p : outputs) expected += p + 1;
  std::vector<std::int64_t> reports;
  const std::vector<std::int64_t> no_probes(outputs.size(), -1);
  CopyForwardRequest request{sequence, outputs, no_probes, 4, {}};
  request.progress = [&](std::int64_t done) { reports.push_back(done); };
  const CopyForwardResult r = gpu::make_gpu_backend(ct, gpu::GpuOptions{2, 4})->run(request);
  const long long blocks =
      (static_cast<long long>(outputs.size()) + gpu::kLevelRowsPerBlock - 1) / gpu::kLevelRowsPerBlock;
  const long long chunk_blocks = std::max(2LL, (blocks + 3) / 4);
  REQUIRE(reports.size() == static_cast<std::size_t>((blocks + chunk_blocks - 1) / chunk_blocks));
  CHECK(reports.size() >= 2);
  for (std::size_t i = 1; i < reports.size(); ++i) CHECK(reports[i] > reports[i - 1]);
  CHECK(reports.back() == expected);
  CHECK(r.stages.layer1 > 0);
  CHECK(r.stages.layer2 >= r.layer2_seconds);
  CHECK(r.layer2_seconds > 0);
}

int main(int argc, char** argv) {
  if (const std::string reason = gpu::unavailable_reason(); !reason.empty()) {
    std::printf("skipped: %s\n", reason.c_str());
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
