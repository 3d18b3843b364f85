#pragma once
// The last layer of a forward pass evaluated with exact integer scores, for heads that
// promise integer scores (AttentionHead::integer_score_unit > 0; the copy transformer's
// layer 2). Queries/unit, keys and values are rounded to int8; the rounding residuals are
// measured and reported, and the softmax is computed by levels (level_softmax.hpp) with a
// certified bound on what the levels leave out. This is the CPU twin of the GPU kernel
// (gpu/): the CPU tests hold it to the float forward.

#include <cstdint>
#include <span>
#include <vector>

#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/level_softmax.hpp"

namespace copyproof::construction {

// One head's inputs rounded to integers.
struct IntegerHeadInputs {
  int key_width = 0;           // d_k
  int padded_key_width = 0;    // d_k rounded up to a multiple of 32 (the tensor-core k)
  int value_width = 0;         // d_v
  double unit = 0;             // the score unit (lambda)
  std::vector<std::int8_t> queries;  // (queries, padded_key_width): round(q / unit)
  std::vector<std::int8_t> keys;     // (keys, padded_key_width): round(k)
  std::vector<std::int8_t> values;   // (keys, value_width): round(v)
  double query_residual = 0;   // max |q / unit - round(q / unit)|
  double key_residual = 0;     // max |k - round(k)|
  double value_residual = 0;   // max |v - round(v)|
  int query_bound = 0, key_bound = 0, value_bound = 0;  // max |integer| of each
  // |<q, k> - unit * <round(q/unit), round(k)>| <= this, for every pair.
  double score_rounding_bound() const;
};

// Rounds head h of the last layer; throws std::invalid_argument when the head makes no
// integer promise or a rounded entry leaves int8.
template <class Scalar>
IntegerHeadInputs round_last_layer_head(const TypedTransformer<Scalar>& model, const RowMatrix<Scalar>& last_layer_input,
                                        std::span<const std::int64_t> output_positions, int head);

using HostLevelStats = LevelStats<kMaxLevelValueWidth>;

// Level statistics of every output row over its allowed keys, multi-threaded.
std::vector<HostLevelStats> integer_attention_levels(const IntegerHeadInputs& inputs,
                                                     std::span<const std::int64_t> output_positions,
                                                     const RelativeWindow& window, int threads);

// Integer dot product of query row r and key j (for probing one key's mass afterwards).
std::int32_t integer_score(const IntegerHeadInputs& inputs, std::int64_t query_row, std::int64_t key);

// Number of keys row `position` may see under `window` among `keys` keys.
std::int64_t allowed_keys(const RelativeWindow& window, std::int64_t position, std::int64_t keys);

}  // namespace copyproof::construction

namespace copyproof::construction {

// The last layer evaluated with integer scores for every output row: predictions, the
// log-normalizer of each head (as forward()'s last_layer_lse) and the certified bounds.
struct IntegerLastLayer {
  std::vector<Token> predictions;          // (outputs)
  RowMatrix<double> log_normalizer;        // (outputs, heads)
  RowMatrix<double> logits;                // (outputs, vocab)
  std::vector<double> margins;             // (outputs): top logit minus the runner-up (0 at an exact tie)
  double score_rounding_bound = 0;         // max over heads of IntegerHeadInputs::score_rounding_bound
  double max_output_error = 0;             // max over rows, heads, coordinates of LevelSoftmax::output_error_bound
  // |these logits - the logits of exact real arithmetic on the unrounded scores| <= this:
  // the level tail plus the rounding of scores (weights move by at most e^{2 delta} - 1).
  double logit_error_bound = 0;
  std::vector<IntegerHeadInputs> heads;    // the rounded inputs, for probing scores afterwards
};

// Finishes rows from their level statistics: softmax by levels, output projection, residual
// add, unembedding, argmax. Shared by the CPU path below and the GPU path.
template <class Scalar>
void finish_integer_rows(const TypedTransformer<Scalar>& model, const RowMatrix<Scalar>& output_inputs,
                         const std::vector<std::vector<HostLevelStats>>& stats_per_head,
                         const std::vector<IntegerHeadInputs>& heads, std::span<const std::int64_t> output_positions,
                         std::int64_t keys, IntegerLastLayer& result, int threads);

template <class Scalar>
IntegerLastLayer integer_last_layer(const TypedTransformer<Scalar>& model, const RowMatrix<Scalar>& last_layer_input,
                                    std::span<const std::int64_t> output_positions, int threads);

}  // namespace copyproof::construction
