// Software rounding to bf16 / fp16 (float_format.hpp): ties to even, subnormals, overflow
// to infinity, NaN; and against independent references on random bit patterns.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/emulated_forward.hpp"
#include "copyproof/construction/float_format.hpp"
#include "copyproof/construction/string_sources.hpp"
#include "copyproof/construction/verifier.hpp"

using namespace copyproof::construction;

namespace {

float bf(float x) { return round_to_format(x, FloatFormat::bf16); }
float hf(float x) { return round_to_format(x, FloatFormat::fp16); }
float p2(int e) { return std::ldexp(1.0f, e); }

// bf16 is the top half of a binary32: round-to-nearest-even on the bit pattern.
float bf16_by_bits(float x) {
  std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return std::bit_cast<float>(u & 0xFFFF0000u);
}

}  // namespace

TEST_CASE("round to nearest, ties to even") {
  // bf16 has 7 fraction bits: next after 1 is 1 + 2^-7.
  CHECK(bf(1 + p2(-8)) == 1.0f);                  // tie -> even (1)
  CHECK(bf(1 + 3 * p2(-8)) == 1 + p2(-6));        // tie -> even (1 + 2^-6)
  CHECK(bf(1 + p2(-8) + p2(-20)) == 1 + p2(-7));  // above the tie -> up
  CHECK(bf(1 + p2(-8) - p2(-20)) == 1.0f);        // below the tie -> down
  CHECK(bf(-(1 + 3 * p2(-8))) == -(1 + p2(-6)));  // symmetric
  // fp16 has 10 fraction bits.
  CHECK(hf(1 + p2(-11)) == 1.0f);
  CHECK(hf(1 + 3 * p2(-11)) == 1 + p2(-9));
  CHECK(hf(2049.0f) == 2048.0f);  // spacing 2 in [2048, 4096): tie -> even
  CHECK(hf(2051.0f) == 2052.0f);
  CHECK(hf(0.1f) == 0.0999755859375f);  // binary16 nearest to 0.1
}

TEST_CASE("subnormals") {
  // fp16: smallest normal 2^-14, subnormal spacing 2^-24.
  CHECK(hf(p2(-24)) == p2(-24));
  CHECK(hf(p2(-25)) == 0.0f);         // tie between 0 and 2^-24 -> even (0)
  CHECK(std::signbit(hf(-p2(-25))));  // signed zero
  CHECK(hf(1.5f * p2(-25)) == p2(-24));
  CHECK(hf(3 * p2(-25)) == p2(-23));                  // tie between 1 and 2 quanta -> 2
  CHECK(hf(p2(-15) + p2(-24)) == p2(-15) + p2(-24));  // exact subnormal kept
  CHECK(hf(p2(-15) + p2(-26)) == p2(-15));
  // bf16: binary32's exponent range, subnormal spacing 2^-133.
  CHECK(bf(p2(-130)) == p2(-130));
  CHECK(bf(p2(-149)) == 0.0f);
  CHECK(bf(p2(-133)) == p2(-133));
  CHECK(bf(1.5f * p2(-133)) == p2(-132));  // tie between 1 and 2 quanta -> 2
}

TEST_CASE("overflow to infinity, infinities, NaN, zero") {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(hf(65504.0f) == 65504.0f);
  CHECK(hf(65519.0f) == 65504.0f);
  CHECK(hf(65520.0f) == inf);  // the halfway point rounds to even: infinity
  CHECK(hf(-1e6f) == -inf);
  CHECK(bf(std::numeric_limits<float>::max()) == inf);
  CHECK(bf(-std::numeric_limits<float>::max()) == -inf);
  CHECK(bf(3.3895313892515355e38f) == 3.3895313892515355e38f);  // largest finite bf16
  CHECK(hf(inf) == inf);
  CHECK(bf(-inf) == -inf);
  CHECK(std::isnan(hf(std::numeric_limits<float>::quiet_NaN())));
  CHECK(std::isnan(bf(std::numeric_limits<float>::signaling_NaN())));
  CHECK(std::signbit(bf(-0.0f)));
  CHECK(hf(0.0f) == 0.0f);
}

TEST_CASE("random bit patterns against independent references") {
  std::mt19937 rng(7);
  int compared = 0;
  for (int i = 0; i < 200000; ++i) {
    const float x = std::bit_cast<float>(static_cast<std::uint32_t>(rng()));
    if (std::isnan(x)) continue;
    ++compared;
    const float b = bf16_by_bits(x);
    if (bf(x) != b) FAIL_CHECK("bf16 " << x << ": " << bf(x) << " != " << b);
#if defined(__FLT16_MAX__)
    const float h = static_cast<float>(static_cast<_Float16>(x));  // the compiler's conversion
    if (hf(x) != h) FAIL_CHECK("fp16 " << x << ": " << hf(x) << " != " << h);
#endif
  }
  CHECK(compared > 190000);
}

namespace {

template <class Matrix>
bool all_in_format(const Matrix& m, FloatFormat format) {
  for (Eigen::Index i = 0; i < m.size(); ++i)
    if (round_to_format(m.data()[i], format) != m.data()[i]) return false;
  return true;
}

}  // namespace

TEST_CASE("emulated bf16 / fp16 forward: every stored value is in the format, and B(2, 6) is copied") {
  const CopyTransformer ct = build_copy_transformer(2, 6, 69);
  const std::vector<Token> x = debruijn_source(2, 6, 1, 0)->string(0);
  const auto sequence = teacher_forced_sequence(ct.vocab, x);
  const auto outputs = copy_output_positions(static_cast<std::int64_t>(x.size()));
  std::vector<Token> target = x;
  target.push_back(ct.vocab.eos());
  for (FloatFormat format : {FloatFormat::bf16, FloatFormat::fp16}) {
    INFO(to_string(format));
    const EmulatedTransformer model(ct.model, format);
    CHECK(all_in_format(model.typed.embedding_rows, format));
    CHECK(all_in_format(model.typed.layers[1][0].query_t, format));  // lambda rounded
    const EmulatedForwardResult r = emulated_forward(model, sequence, outputs, 2);
    CHECK(all_in_format(r.last_layer_input, format));
    CHECK(all_in_format(r.logits, format));
    CHECK(all_in_format(r.last_queries[0], format));
    CHECK(r.predictions == target);
    // float32's layer-1 codes sit ~1e-7 off +-1 (not representable in either format).
    const RowMatrix<float> fp32 = forward_to_last_layer(TypedTransformer<float>(ct.model), sequence, ForwardOptions{1});
    CHECK_FALSE(all_in_format(fp32, format));

    VerifyConfig c;
    c.alphabet = 2;
    c.ngram = 6;
    c.source = SourceKind::debruijn;
    c.samples = 2;
    c.precision = format == FloatFormat::bf16 ? Precision::bf16 : Precision::fp16;
    const VerifyReport v = verify(c);
    CHECK(v.backend == "cpu-emulated-" + to_string(format));
    CHECK(v.pass());
    CHECK(v.min_match_mass > 0.5);
  }
}
