// Exact integer-score attention by levels (level_softmax.hpp, integer_attention.hpp): the
// arithmetic the GPU kernel shares, held to a plain double softmax and to the float forward.
#include <doctest/doctest.h>

#include <cmath>

#include "copyproof/common/random.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/exact_copy_forward.hpp"
#include "copyproof/construction/hash_copy.hpp"
#include "copyproof/construction/integer_attention.hpp"
#include "copyproof/construction/string_sources.hpp"
#include "copyproof/construction/tensor_core_padding.hpp"

using namespace copyproof;
using namespace copyproof::construction;

namespace {

struct Key {
  std::int32_t score;
  std::int8_t value[3];
};

std::vector<Key> random_keys(Rng& rng, int count, int spread) {
  std::vector<Key> keys(static_cast<std::size_t>(count));
  for (auto& k : keys) {
    k.score = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(spread))) - spread / 2;
    for (auto& v : k.value) v = rng.below(2) ? 1 : -1;
  }
  return keys;
}

}  // namespace

TEST_CASE("levels: the softmax read off the levels is within its certified bound of the exact one") {
  Rng rng(5);
  for (double unit : {0.7, 2.0, 6.0}) {
    for (int spread : {1, 3, 9, 40}) {
      const std::vector<Key> keys = random_keys(rng, 500, spread);
      LevelStats<3> stats;
      for (const auto& k : keys) stats.add(k.score, k.value, 3);
      double out[3];
      const LevelSoftmax soft = finish_level_softmax(stats, static_cast<std::int64_t>(keys.size()), unit, 1.0, 3, out);
      // Exact softmax in long double.
      std::int32_t top = keys[0].score;
      for (const auto& k : keys) top = std::max(top, k.score);
      long double z = 0, y[3] = {0, 0, 0};
      for (const auto& k : keys) {
        const long double w = std::exp(static_cast<long double>(unit) * (k.score - top));
        z += w;
        for (int c = 0; c < 3; ++c) y[c] += w * k.value[c];
      }
      INFO("unit = " << unit << ", spread = " << spread);
      CHECK(stats.max_score == top);
      for (int c = 0; c < 3; ++c) {
        const double exact = static_cast<double>(y[c] / z);
        // The bound is rigorous; 1e-12 covers double rounding in finish_level_softmax itself.
        CHECK(std::fabs(exact - out[c]) <= soft.output_error_bound + 1e-12);
      }
      CHECK(soft.log_normalizer <= static_cast<double>(unit * top + std::log(z)) + 1e-12);
      CHECK(soft.log_normalizer >= static_cast<double>(unit * top + std::log(z)) - soft.tail_weight_bound - 1e-12);
      if (spread <= kLevels) CHECK(soft.output_error_bound == 0.0);  // everything kept: exact
    }
  }
}

TEST_CASE("levels: merging chunks equals adding every key in order") {
  Rng rng(9);
  const std::vector<Key> keys = random_keys(rng, 3000, 12);
  LevelStats<3> whole;
  for (const auto& k : keys) whole.add(k.score, k.value, 3);
  for (std::size_t chunk : {1u, 7u, 100u, 1000u}) {
    LevelStats<3> merged;
    for (std::size_t begin = 0; begin < keys.size(); begin += chunk) {
      LevelStats<3> part;
      for (std::size_t i = begin; i < std::min(keys.size(), begin + chunk); ++i)
        part.add(keys[i].score, keys[i].value, 3);
      merged.merge(part, 3);
    }
    CHECK(merged.max_score == whole.max_score);
    for (int t = 0; t < kLevels; ++t) {
      CHECK(merged.count[t] == whole.count[t]);
      for (int c = 0; c < 3; ++c) CHECK(merged.value_sum[t][c] == whole.value_sum[t][c]);
    }
  }
}

TEST_CASE("integer last layer of the copy transformer = the float forward") {
  for (auto [D, n, L] : {std::tuple{2, 6, 300}, {4, 4, 200}, {3, 8, 500}}) {
    const CopyTransformer ct = build_copy_transformer(D, n, L);
    const TypedTransformer<float> typed(ct.model);
    const auto outputs = copy_output_positions(L);
    for (auto source : {SourceKind::uniform, SourceKind::planted}) {
      const auto strings = source == SourceKind::uniform ? uniform_source(D, L, 6, 3) : planted_source(D, n, L, 6, 3);
      for (std::int64_t i = 0; i < strings->count(); ++i) {
        const auto seq = teacher_forced_sequence(ct.vocab, strings->string(i));
        const auto fwd = forward(typed, seq, outputs, ForwardOptions{2});
        const IntegerLastLayer integer = integer_last_layer(typed, fwd.last_layer_input, outputs, 2);
        INFO("D = " << D << ", n = " << n << ", string " << i);
        // Identical predictions wherever the integer margin is certified. Elsewhere (a repeated
        // n-gram matched twice: exact or near ties) the float path's choice is within the
        // certified error of the integer maximum. 1e-5: float32 rounding of logits of size <= b.
        const double slack = 2 * integer.logit_error_bound + 1e-5;
        std::int64_t uncertified = 0;
        for (std::size_t k = 0; k < outputs.size(); ++k) {
          const auto row = static_cast<Eigen::Index>(k);
          if (integer.margins[k] > slack) {
            CHECK(integer.predictions[k] == fwd.predictions[k]);
          } else {
            ++uncertified;
            CHECK(integer.logits(row, fwd.predictions[k]) >= integer.logits.row(row).maxCoeff() - slack);
          }
        }
        if (!has_repeated_ngram(strings->string(i), n)) CHECK(uncertified == 0);
        // Rounding residuals are float32 rounding of +-1 codes (layer-1 error <= 1e-6).
        CHECK(integer.heads[0].key_residual <= ct.parameters.layer1_error_bound);
        CHECK(integer.heads[0].query_residual <= ct.parameters.layer1_error_bound);
        // log-normalizers agree up to the score rounding, the tail bound and float32 sums
        // of up to 2L + 2 terms (relative 1e-4 covers 1000 x float epsilon).
        const double gap =
            (integer.log_normalizer.col(0) - fwd.last_layer_lse.col(0).cast<double>()).cwiseAbs().maxCoeff();
        CHECK(gap <= integer.score_rounding_bound + 1e-4);
      }
    }
  }
}

TEST_CASE("integer scores refuse heads without an integer promise") {
  const CopyTransformer ct = build_copy_transformer(2, 3, 10);
  Transformer plain = ct.model;
  plain.layers.back().heads[0].integer_score_unit = 0;
  const TypedTransformer<float> typed(plain);
  const std::vector<std::int64_t> outputs = {11};
  const RowMatrix<float> x = RowMatrix<float>::Zero(12, typed.d_model);
  CHECK_THROWS_AS(integer_last_layer(typed, x, outputs, 1), std::invalid_argument);
}

TEST_CASE("the int8 logit error bound carries the value-rounding term") {
  // The integer path adds round(v) where the float forward adds v: with exact scores the
  // outputs still differ by up to value_residual per coordinate, so the bound must be
  // positive then, and grow with the residual when the scores are perturbed too.
  const CopyTransformer ct = build_copy_transformer(4, 3, 50);
  const TypedTransformer<float> typed(ct.model);
  const IntegerRowFinisher finisher(typed);
  const int value_bound = 1;
  CHECK(finisher.logit_error(0, 0.0, 0.0, value_bound, 0.0) == 0.0);
  const double residual_only = finisher.logit_error(0, 0.0, 0.0, value_bound, 0.25);
  CHECK(residual_only > 0.0);
  const double scores_only = finisher.logit_error(0, 0.0, 0.01, value_bound, 0.0);
  const double both = finisher.logit_error(0, 0.0, 0.01, value_bound, 0.25);
  CHECK(both > scores_only + residual_only);  // e^{2 delta} - 1 also multiplies the residual
}

TEST_CASE("tensor-core padding: one rule (tensor_core_padding.hpp), and the integer inputs stored at it") {
  // padded_key_width(w): the smallest multiple of kTensorCoreK that is >= w.
  for (int w = 0; w <= 4 * kTensorCoreK + 1; ++w) {
    const int p = padded_key_width(w);
    CHECK(p % kTensorCoreK == 0);
    CHECK(p >= w);
    CHECK(p - w < kTensorCoreK);
  }
  // Layer-2 key widths n b + 1 on both sides of a multiple of kTensorCoreK: D = 2 (b = 2)
  // with n b + 1 = kTensorCoreK - 1, kTensorCoreK + 1 (n odd keeps n b + 1 odd).
  for (const int n : {kTensorCoreK / 2 - 1, kTensorCoreK / 2}) {
    const std::int64_t L = 3 * n;
    const CopyTransformer ct = build_copy_transformer(2, n, L);
    const TypedTransformer<float> typed(ct.model);
    const auto outputs = copy_output_positions(L);
    const auto seq = teacher_forced_sequence(ct.vocab, uniform_source(2, L, 1, 3)->string(0));
    const RowMatrix<float> stream = forward_to_last_layer(typed, seq, ForwardOptions{1});
    const IntegerHeadInputs in = round_last_layer_head(typed, stream, outputs, 0);
    INFO("n = " << n << ", d_k = " << in.key_width);
    CHECK(in.key_width == n * ct.parameters.code_bits + 1);
    CHECK(in.padded_key_width == padded_key_width(in.key_width));
    CHECK(in.queries.size() == outputs.size() * static_cast<std::size_t>(in.padded_key_width));
    CHECK(in.keys.size() == seq.size() * static_cast<std::size_t>(in.padded_key_width));
    // The padding columns hold 0: they add nothing to a score.
    for (std::size_t row = 0; row < seq.size(); ++row)
      for (int c = in.key_width; c < in.padded_key_width; ++c)
        CHECK(in.keys[row * static_cast<std::size_t>(in.padded_key_width) + static_cast<std::size_t>(c)] == 0);
  }
}
