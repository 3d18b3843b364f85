// The fast exact layer 2 (bitplane_attention.hpp, exact_copy_forward.hpp) against the
// integer path it replaces (integer_attention.hpp): the same level statistics, bit for bit,
// on random codes and on the copy transformer, at sizes around every tile edge the kernel
// publishes (kBitPlaneLanes, kBitPlaneKeyTile, kBitPlaneQueryBlock, kLayer1Chunk).
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "copyproof/common/random.hpp"
#include "copyproof/construction/bitplane_attention.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/exact_copy_forward.hpp"
#include "copyproof/construction/hash_copy.hpp"
#include "copyproof/construction/integer_attention.hpp"
#include "copyproof/construction/string_sources.hpp"

using namespace copyproof;
using namespace copyproof::construction;

namespace {

// Random integer head inputs: codes in {-1, 0, +1} drawn from `patterns` distinct rows (few
// patterns: many equal scores, so every level fills), some keys "special" (an entry of
// +-`big`, stored wide when it leaves int8), values in {-1, +1}.
IntegerHeadInputs random_inputs(Rng& rng, std::int64_t queries, std::int64_t keys, int width, int value_width,
                                int patterns, int big, double special_rate, bool zeros = true) {
  IntegerHeadInputs in;
  in.key_width = width;
  in.padded_key_width = (width + 31) / 32 * 32;
  in.value_width = value_width;
  in.unit = 1.5;
  const auto w = static_cast<std::size_t>(in.padded_key_width);
  std::vector<std::vector<std::int8_t>> pool(static_cast<std::size_t>(patterns));
  for (auto& p : pool) {
    p.assign(w, 0);
    // Without zeros every code is "full": the kernel's one-popcount case.
    for (int c = 0; c < width; ++c)
      p[static_cast<std::size_t>(c)] = zeros ? static_cast<std::int8_t>(static_cast<int>(rng.below(3)) - 1)
                                             : static_cast<std::int8_t>(rng.below(2) ? 1 : -1);
  }
  auto fill = [&](std::vector<std::int8_t>& out, std::int64_t rows, std::vector<IntegerHeadInputs::WideEntry>* wide) {
    out.resize(static_cast<std::size_t>(rows) * w);
    for (std::int64_t r = 0; r < rows; ++r) {
      const auto& p = pool[static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(patterns)))];
      std::copy(p.begin(), p.end(), out.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(r) * w));
      // A few scattered sign flips, so scores spread over neighbouring levels.
      if (rng.below(2)) {
        const auto c = static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(width)));
        out[static_cast<std::size_t>(r) * w + c] = static_cast<std::int8_t>(-out[static_cast<std::size_t>(r) * w + c]);
      }
      if (wide && rng.uniform() < special_rate) {
        const int c = static_cast<int>(rng.below(static_cast<std::uint64_t>(width)));
        const std::int32_t v = rng.below(2) ? big : -big;
        if (big > 127) {
          out[static_cast<std::size_t>(r) * w + static_cast<std::size_t>(c)] = 0;
          wide->push_back({r, c, v});
        } else {
          out[static_cast<std::size_t>(r) * w + static_cast<std::size_t>(c)] = static_cast<std::int8_t>(v);
        }
      }
    }
  };
  fill(in.queries, queries, nullptr);
  fill(in.keys, keys, &in.wide_keys);
  in.values.resize(static_cast<std::size_t>(keys * value_width));
  for (auto& v : in.values) v = rng.below(2) ? 1 : -1;
  in.query_bound = 1;
  in.key_bound = std::max(1, big);
  in.value_bound = 1;
  return in;
}

void check_same_levels(const std::vector<HostLevelStats>& fast, const std::vector<HostLevelStats>& reference, int dv) {
  REQUIRE(fast.size() == reference.size());
  for (std::size_t r = 0; r < fast.size(); ++r) {
    INFO("row " << r);
    REQUIRE(fast[r].max_score == reference[r].max_score);
    for (int t = 0; t < kLevels; ++t) {
      REQUIRE(fast[r].count[t] == reference[r].count[t]);
      for (int c = 0; c < dv; ++c) REQUIRE(fast[r].value_sum[t][c] == reference[r].value_sum[t][c]);
    }
  }
}

std::vector<PopcountKernel> kernels() {
  std::vector<PopcountKernel> k = {PopcountKernel::portable};
  if (avx512_popcount_compiled()) k.push_back(PopcountKernel::avx512);
  return k;
}

}  // namespace

TEST_CASE("bit planes: the same level statistics as the integer path, around every tile edge") {
  Rng rng(17);
  const std::int64_t lanes = kBitPlaneLanes, tile = kBitPlaneKeyTile, block = kBitPlaneQueryBlock;
  const std::set<std::int64_t> key_counts = {1,        lanes - 1, lanes,    lanes + 1,
                                             tile - 1, tile,      tile + 1, 2 * tile + lanes + 1};
  // Widths: one to five 32-bit words, at and around each word edge (the copy transformer's
  // n b + 1: 25 for D = 4, n = 8; 41 for D = 2, n = 20; 137 for D = 65536, n = 8).
  const int widths[] = {1, 25, 31, 32, 33, 41, 64, 65, 100, 128, 137};
  int cases = 0;
  for (std::int64_t keys : key_counts) {
    for (int width : widths) {
      const std::int64_t queries = std::min<std::int64_t>(keys, cases % 2 ? block + 1 : block - 1);
      const int big = cases % 3 == 0 ? 300 : 5;  // wide (out of int8) or in-int8 special entries
      IntegerHeadInputs in =
          random_inputs(rng, queries, keys, width, 3, 1 + static_cast<int>(rng.below(4)), big, 0.01, cases % 4 < 2);
      // Queries at ascending positions spread over the keys (causal window), the last at the end.
      std::vector<std::int64_t> positions(static_cast<std::size_t>(queries));
      for (std::int64_t r = 0; r < queries; ++r) positions[static_cast<std::size_t>(r)] = keys - queries + r;
      const BitPlaneHead planes(in);
      for (const RelativeWindow window : {RelativeWindow{}, RelativeWindow{1, tile / 2 + 3}}) {
        const auto reference = integer_attention_levels(in, positions, window, 2);
        for (PopcountKernel kernel : kernels()) {
          INFO("keys " << keys << ", width " << width << ", kernel " << to_string(kernel) << ", window hi "
                       << window.hi);
          check_same_levels(bitplane_attention_levels(planes, positions, window, 2, kernel), reference, 3);
        }
        // Scores one pair at a time agree too (the probe masses read them).
        for (std::int64_t r = 0; r < queries; r += 7)
          for (std::int64_t j = 0; j < keys; j += 13) REQUIRE(planes.score(r, j) == integer_score(in, r, j));
      }
      ++cases;
    }
  }
}

TEST_CASE("bit planes: appending chunks equals packing the whole, and rows split over any thread count") {
  Rng rng(23);
  const std::int64_t keys = 3 * kBitPlaneLanes + 5;
  const IntegerHeadInputs whole = random_inputs(rng, 6, keys, 41, 2, 3, 200, 0.05);
  IntegerHeadInputs queries_only = whole;
  queries_only.keys.clear();
  queries_only.values.clear();
  queries_only.wide_keys.clear();
  BitPlaneHead chunked(41, 2, whole.unit);
  chunked.append(queries_only);
  for (std::int64_t first = 0; first < keys; first += 7) {
    IntegerHeadInputs part = whole;
    const std::int64_t count = std::min<std::int64_t>(7, keys - first);
    const auto w = static_cast<std::size_t>(whole.padded_key_width);
    part.queries.clear();
    part.keys.assign(whole.keys.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(first) * w),
                     whole.keys.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(first + count) * w));
    part.values.assign(whole.values.begin() + first * 2, whole.values.begin() + (first + count) * 2);
    part.wide_keys.clear();
    for (auto e : whole.wide_keys)
      if (e.row >= first && e.row < first + count) part.wide_keys.push_back({e.row - first, e.column, e.value});
    chunked.append(part);
  }
  const BitPlaneHead packed(whole);
  REQUIRE(chunked.keys() == packed.keys());
  REQUIRE(chunked.queries() == packed.queries());
  REQUIRE(chunked.special_keys() == packed.special_keys());
  for (std::int64_t r = 0; r < 6; ++r)
    for (std::int64_t j = 0; j < keys; ++j) REQUIRE(chunked.score(r, j) == integer_score(whole, r, j));
  const std::vector<std::int64_t> positions = {0, 10, 40, 52, 53, keys - 1};
  const auto reference = integer_attention_levels(whole, positions, RelativeWindow{}, 1);
  for (int threads : {1, 2, 3}) {
    check_same_levels(bitplane_attention_levels(chunked, positions, RelativeWindow{}, threads), reference, 2);
    check_same_levels(bitplane_attention_levels(packed, positions, RelativeWindow{}, threads), reference, 2);
  }
}

TEST_CASE("bit planes refuse query entries outside {-1, 0, 1}") {
  Rng rng(3);
  IntegerHeadInputs in = random_inputs(rng, 2, 4, 10, 2, 2, 1, 0);
  in.queries[3] = 2;
  CHECK_THROWS_AS(BitPlaneHead{in}, std::invalid_argument);
}

TEST_CASE("exact forward of the copy transformer = the whole-sequence integer path, at every chunk edge") {
  // 2L + 2 = kBitPlaneKeyTile keys: one full key tile; chunks down to the layer-1 reach (n).
  static_assert(kBitPlaneKeyTile % 2 == 0);
  for (auto [D, n, L] : {std::tuple{2, 6, std::int64_t{300}}, {4, 4, kBitPlaneKeyTile / 2 - 1}}) {
    const CopyTransformer ct = build_copy_transformer(D, n, L);
    const TypedTransformer<float> typed(ct.model);
    REQUIRE(exact_forward_supported(typed));
    const auto outputs = copy_output_positions(L);
    const auto strings = planted_source(D, n, L, 1, 5);  // one string: a repeated n-gram, ties included
    for (std::int64_t i = 0; i < strings->count(); ++i) {
      const auto seq = teacher_forced_sequence(ct.vocab, strings->string(i));
      const RowMatrix<float> x = forward_to_last_layer(typed, seq, ForwardOptions{2});
      const IntegerLastLayer whole = integer_last_layer(typed, x, outputs, 2);
      const auto reference = reference_predictions(ct.vocab, n, seq, outputs);
      std::vector<std::int64_t> probes(outputs.size(), -1);
      for (std::size_t k = 0; k < outputs.size(); ++k)
        if (reference[k].matches == 1) probes[k] = reference[k].match_position;
      for (std::int64_t chunk : {std::int64_t{n}, std::int64_t{97}, kLayer1Chunk}) {
        for (PopcountKernel kernel : kernels()) {
          INFO("D = " << D << ", n = " << n << ", chunk " << chunk << ", kernel " << to_string(kernel));
          const CopyForwardResult fast =
              exact_copy_forward(ct, typed, CopyForwardRequest{seq, outputs, probes, 2, {}}, kernel, chunk);
          CHECK(fast.predictions == whole.predictions);
          CHECK(fast.certified);
          CHECK(fast.score_rounding_bound == doctest::Approx(whole.score_rounding_bound).epsilon(1e-9));
          CHECK(fast.logit_error_bound == doctest::Approx(whole.logit_error_bound).epsilon(1e-9));
          std::int64_t uncertified = 0;
          for (double m : whole.margins) uncertified += m > 2 * whole.logit_error_bound ? 0 : 1;
          CHECK(fast.uncertified == uncertified);
          for (std::size_t k = 0; k < outputs.size(); ++k)
            if (probes[k] >= 0) {
              const double score =
                  whole.heads[0].unit * integer_score(whole.heads[0], static_cast<std::int64_t>(k), probes[k]);
              // The same level sums in the same order: equal to double rounding of exp and log.
              CHECK(fast.probe_mass[k] ==
                    doctest::Approx(std::exp(score - whole.log_normalizer(static_cast<Eigen::Index>(k), 0)))
                        .epsilon(1e-12));
            }
        }
      }
    }
  }
}

TEST_CASE("int8 with n b > 127: the BOS penalty is kept exactly as a wide entry, not an abort") {
  // D = 65536 (b = 17), n = 8: B = n b = 136 leaves int8.
  const int D = 65536, n = 8;
  const std::int64_t L = 40;
  const CopyTransformer ct = build_copy_transformer(D, n, L);
  REQUIRE(ct.parameters.bos_penalty > 127);
  const TypedTransformer<float> typed(ct.model);
  const auto outputs = copy_output_positions(L);
  const auto x = uniform_source(D, L, 1, 9)->string(0);
  const auto seq = teacher_forced_sequence(ct.vocab, x);
  const RowMatrix<float> stream = forward_to_last_layer(typed, seq, ForwardOptions{1});
  CHECK_THROWS_AS(round_last_layer_head(typed, stream, outputs, 0), std::invalid_argument);  // the GPU's int8 rule
  const IntegerHeadInputs wide = round_last_layer_head(typed, stream, outputs, 0, IntegerRounding{true});
  REQUIRE(wide.wide_keys.size() == 1);  // BOS only
  CHECK(wide.wide_keys[0].row == 0);
  CHECK(wide.wide_keys[0].value == -static_cast<std::int32_t>(ct.parameters.bos_penalty));
  // Scores against BOS are exactly -B times the query's constant column (1).
  for (std::int64_t r = 0; r < static_cast<std::int64_t>(outputs.size()); ++r)
    CHECK(integer_score(wide, r, 0) == -static_cast<std::int32_t>(ct.parameters.bos_penalty));
  const ForwardResult<float> fwd = forward(typed, seq, outputs, ForwardOptions{1});
  const CopyForwardResult fast =
      make_cpu_backend(ct, Precision::int8)->run(CopyForwardRequest{seq, outputs, {}, 1, {}});
  CHECK(fast.predictions == fwd.predictions);
  for (std::int64_t k = 0; k < L; ++k)
    CHECK(fast.predictions[static_cast<std::size_t>(k)] == x[static_cast<std::size_t>(k)]);
}
