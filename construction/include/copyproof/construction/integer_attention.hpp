#pragma once
// The last layer of a forward pass evaluated with exact integer scores, for heads that
// promise integer scores (AttentionHead::integer_score_unit > 0; the copy transformer's
// layer 2). Queries/unit, keys and values are rounded to int8; the rounding residuals are
// measured and reported, and the softmax is computed by levels (level_softmax.hpp) with a
// certified bound on what the levels leave out. This is the CPU twin of the GPU kernel
// (gpu/): the CPU tests hold it to the float forward.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/level_softmax.hpp"

namespace copyproof::construction {

// One head's inputs rounded to integers.
struct IntegerHeadInputs {
  int key_width = 0;                                    // d_k
  int padded_key_width = 0;                             // padded_key_width(d_k) (tensor_core_padding.hpp)
  int value_width = 0;                                  // d_v
  double unit = 0;                                      // the score unit (lambda)
  std::vector<std::int8_t> queries;                     // (queries, padded_key_width): round(q / unit)
  std::vector<std::int8_t> keys;                        // (keys, padded_key_width): round(k)
  std::vector<std::int8_t> values;                      // (keys, value_width): round(v)
  double query_residual = 0;                            // max |q / unit - round(q / unit)|
  double key_residual = 0;                              // max |k - round(k)|
  double value_residual = 0;                            // max |v - round(v)|
  int query_bound = 0, key_bound = 0, value_bound = 0;  // max |integer| of each
  // Query/key entries whose integer leaves int8 (only with IntegerRounding::wide_entries;
  // e.g. the BOS key's -B when n b > 127): listed here, their int8 slot holds 0. Sorted by row.
  struct WideEntry {
    std::int64_t row = 0;
    int column = 0;
    std::int32_t value = 0;
  };
  std::vector<WideEntry> wide_queries, wide_keys;
  // |<q, k> - unit * <round(q/unit), round(k)>| <= this, for every pair.
  double score_rounding_bound() const;
};

// How round_last_layer_head treats a query/key integer outside int8: by default it throws
// (the GPU kernel multiplies int8 only); with wide_entries it keeps the entry exactly in
// IntegerHeadInputs::wide_queries / wide_keys. Scores must still fit int32 (checked).
struct IntegerRounding {
  bool wide_entries = false;
};

// Rounds head h of the last layer; throws std::invalid_argument when the head makes no
// integer promise or a rounded entry leaves int8.
template <class Scalar>
IntegerHeadInputs round_last_layer_head(const TypedTransformer<Scalar>& model,
                                        const RowMatrix<Scalar>& last_layer_input,
                                        std::span<const std::int64_t> output_positions, int head);
template <class Scalar>
IntegerHeadInputs round_last_layer_head(const TypedTransformer<Scalar>& model,
                                        const RowMatrix<Scalar>& last_layer_input,
                                        std::span<const std::int64_t> output_positions, int head,
                                        const IntegerRounding& rounding);

using HostLevelStats = LevelStats<kMaxLevelValueWidth>;

// Level statistics of every output row over its allowed keys, multi-threaded.
std::vector<HostLevelStats> integer_attention_levels(const IntegerHeadInputs& inputs,
                                                     std::span<const std::int64_t> output_positions,
                                                     const RelativeWindow& window, int threads);

// Integer dot product of query row r and key j (for probing one key's mass afterwards),
// wide entries included.
std::int32_t integer_score(const IntegerHeadInputs& inputs, std::int64_t query_row, std::int64_t key);

// Number of keys row `position` may see under `window` among `keys` keys.
std::int64_t allowed_keys(const RelativeWindow& window, std::int64_t position, std::int64_t keys);

}  // namespace copyproof::construction

namespace copyproof::construction {

// The last layer evaluated with integer scores for every output row: predictions, the
// log-normalizer of each head (as forward()'s last_layer_lse) and the certified bounds.
struct IntegerLastLayer {
  std::vector<Token> predictions;    // (outputs)
  RowMatrix<double> log_normalizer;  // (outputs, heads)
  RowMatrix<double> logits;          // (outputs, vocab)
  std::vector<double> margins;       // (outputs): top logit minus the runner-up (0 at an exact tie)
  double score_rounding_bound = 0;   // max over heads of IntegerHeadInputs::score_rounding_bound
  double max_output_error = 0;       // max over rows, heads, coordinates of LevelSoftmax::output_error_bound
  // |these logits - the logits of exact real arithmetic on the unrounded scores| <= this:
  // the level tail plus the rounding of scores (weights move by at most e^{2 delta} - 1).
  double logit_error_bound = 0;
  std::vector<IntegerHeadInputs> heads;  // the rounded inputs, for probing scores afterwards
};

// One output row from its level statistics: softmax by levels, output projection, residual
// add, unembedding, argmax. The one definition finish_integer_rows and the streaming exact
// path (exact_copy_forward.hpp) both use.
class IntegerRowFinisher {
 public:
  template <class Scalar>
  explicit IntegerRowFinisher(const TypedTransformer<Scalar>& model);
  int vocab() const { return static_cast<int>(unembed_t_.cols()); }
  // The stream's own contribution to a row's logits: x_row U^T (before layer 2's heads).
  template <class Scalar>
  void residual_logits(const Scalar* stream_row, double* logits) const;
  // Adds head h's softmax output (read off `stats`, `seen` allowed keys) to `logits`.
  LevelSoftmax add_head(std::size_t h, const HostLevelStats& stats, std::int64_t seen, double unit, int value_bound,
                        int value_width, double* logits) const;
  // Lowest-index argmax of `logits`, and its lead over the runner-up (0 at an exact tie).
  std::pair<Token, double> top(const double* logits) const;
  // Head h's share of the logit error bound (IntegerLastLayer::logit_error_bound).
  double logit_error(std::size_t h, double output_error, double score_rounding_bound, int value_bound,
                     double value_residual) const;

 private:
  RowMatrix<double> unembed_t_;                   // (d_model, vocab)
  std::vector<RowMatrix<double>> out_to_logits_;  // per head: (d_v, vocab) = W_o^T U^T
  std::vector<double> logit_gain_;                // per head: max |logit change| per unit output change
};

// Finishes rows from their level statistics (IntegerRowFinisher for each). Shared by the CPU
// path below and the GPU path.
template <class Scalar>
void finish_integer_rows(const TypedTransformer<Scalar>& model, const RowMatrix<Scalar>& output_inputs,
                         const std::vector<std::vector<HostLevelStats>>& stats_per_head,
                         const std::vector<IntegerHeadInputs>& heads, std::span<const std::int64_t> output_positions,
                         std::int64_t keys, IntegerLastLayer& result, int threads);

template <class Scalar>
IntegerLastLayer integer_last_layer(const TypedTransformer<Scalar>& model, const RowMatrix<Scalar>& last_layer_input,
                                    std::span<const std::int64_t> output_positions, int threads);

}  // namespace copyproof::construction
