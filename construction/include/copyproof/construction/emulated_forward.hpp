#pragma once
// An emulated low-precision forward pass of a generic Transformer (transformer.hpp): the
// arithmetic a bf16 / fp16 tensor-core implementation performs, emulated on the CPU by
// rounding float32 values to the format in software (float_format.hpp). Slow and simple
// (one query at a time, no tiles): it exists to measure where low precision breaks the
// copy transformer (docs/precision-measured.md), not to be fast.
//
// Rounding model (what is rounded to the format; everything else is binary32):
//   - every stored weight (embedding, projections, unembedding) and each head's position
//     slope, once;
//   - the residual stream, after the embedding and after each layer's residual add;
//   - the stored activations: each head's queries, keys and values (x W, products and sums
//     accumulated in binary32, then rounded), its attention output, and its projected
//     output o W_o;
//   - the softmax probabilities P = exp(s - max) before they multiply the values (as
//     FlashAttention-style kernels feed P to the second matrix product in the format);
//   - the logits.
// Kept in binary32 (never stored in a fused kernel): the scores s = q.k + slope (i - j),
// their running max, exp, the softmax denominator (summed from the unrounded P), the
// P V accumulator and the division by the denominator. The softmax is two-pass per query
// (max, then sums) rather than the production kernel's tiled online order.
//
// A second model, for measurement only (`round_scores`): an unfused implementation that
// stores the score matrix q k^T in the format before the softmax (as a plain
// `softmax(q @ k.T)` in bf16 does). Scores are then rounded too.

#include <cstdint>
#include <span>
#include <vector>

#include "copyproof/construction/attention.hpp"
#include "copyproof/construction/float_format.hpp"
#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/transformer.hpp"

namespace copyproof::construction {

// The weights as the format stores them (float32 holding format values).
struct EmulatedTransformer {
  EmulatedTransformer(const Transformer& model, FloatFormat format, bool round_scores = false);
  FloatFormat format;
  bool round_scores = false;  // the unfused model above; false: the fused (tensor-core) model
  TypedTransformer<float> typed;
};

struct EmulatedForwardResult {
  RowMatrix<float> last_layer_input;  // (positions, d_model), in the format
  RowMatrix<float> logits;            // (outputs, vocab), in the format
  std::vector<Token> predictions;     // lowest-index argmax of the logits
  // Per head of the last layer: the stored (rounded) queries at the outputs and keys at
  // every position, to read softmax masses afterwards (emulated_key_mass).
  std::vector<RowMatrix<float>> last_queries, last_keys;
};

EmulatedForwardResult emulated_forward(const EmulatedTransformer& model, std::span<const Token> tokens,
                                       std::span<const std::int64_t> output_positions, int threads);

// Softmax mass of the key at `key_position` for output row `row` of head `head` of the last
// layer, computed in float64 from the run's stored (rounded) queries and keys and its
// rounded slope: the mass those activations define, without the binary32 rounding of the
// scores themselves.
double emulated_key_mass(const EmulatedTransformer& model, const EmulatedForwardResult& result,
                         std::span<const std::int64_t> output_positions, int head, std::int64_t row,
                         std::int64_t key_position);

}  // namespace copyproof::construction
