#pragma once
// The forward pass of a generic Transformer (transformer.hpp) in float32 or float64.
// Every position goes through every layer but the last; the last layer is evaluated
// only at the requested output positions (queries there, keys and values everywhere),
// which is all a teacher-forced copy check needs.

#include <Eigen/Core>

#include <cstdint>
#include <span>
#include <vector>

#include "copyproof/common/argmax.hpp"
#include "copyproof/construction/attention.hpp"
#include "copyproof/construction/transformer.hpp"

namespace copyproof::construction {

// The weights cast once to the forward's precision.
template <class Scalar>
struct TypedHead {
  RowMatrix<Scalar> query_t, key_t, value_t;  // transposed projections: (d_model, d_k / d_k / d_v)
  RowMatrix<Scalar> output_t;                 // (d_v, d_model)
  double position_slope = 0;
  RelativeWindow window;
  double integer_score_unit = 0;
};

template <class Scalar>
struct TypedTransformer {
  explicit TypedTransformer(const Transformer& model);
  int d_model = 0;
  int vocab = 0;
  RowMatrix<Scalar> embedding_rows;  // (vocab, d_model)
  std::vector<std::vector<TypedHead<Scalar>>> layers;
  RowMatrix<Scalar> unembedding_t;  // (d_model, vocab)
};

struct ForwardOptions {
  int threads = 1;
};

template <class Scalar>
struct ForwardResult {
  RowMatrix<Scalar> last_layer_input;  // (positions, d_model): the stream entering the last layer
  RowMatrix<Scalar> output_stream;     // (outputs, d_model): the final stream at the output positions
  RowMatrix<Scalar> logits;            // (outputs, vocab)
  RowMatrix<Scalar> last_layer_lse;    // (outputs, heads of the last layer): log-sum-exp of the scores
  std::vector<Token> predictions;      // (outputs): argmax of the logits, lowest token on ties
};

// The stream entering the last layer at every position: (positions, d_model).
template <class Scalar>
RowMatrix<Scalar> forward_to_last_layer(const TypedTransformer<Scalar>& model, std::span<const Token> tokens,
                                        const ForwardOptions& options);

// tokens: the whole sequence; output_positions: ascending positions to predict at.
template <class Scalar>
ForwardResult<Scalar> forward(const TypedTransformer<Scalar>& model, std::span<const Token> tokens,
                              std::span<const std::int64_t> output_positions, const ForwardOptions& options);

// The attention problem of head h of the last layer for a finished forward pass, to read a
// key's softmax mass without storing any attention matrix. Masses are computed in float64
// from the run's own layer-2 inputs (its stream entering the last layer and its weights,
// both exactly representable in float64): scores and log-sum-exp are recomputed in
// float64, so a float32 run's mass is the one its inputs define, not contaminated by the
// float32 rounding of ~1e4-sized scores (which reaches 5% in mass at D = 65536, n = 119).
// For a float64 run the forward's own log-sum-exp is used.
template <class Scalar>
struct LastLayerScores {
  LastLayerScores(const TypedTransformer<Scalar>& model, const ForwardResult<Scalar>& result,
                  std::span<const std::int64_t> output_positions, int head, int threads = 1);
  // Softmax mass of the key at `key_position` for output row `row`.
  double mass(std::int64_t row, std::int64_t key_position) const;

 private:
  RowMatrix<double> queries_, keys_;
  RowMatrix<double> empty_values_;
  Vector<double> lse_;
  std::span<const std::int64_t> positions_;
  double position_slope_ = 0;
  RelativeWindow window_;
};

// Lowest-index argmax of a row of logits (common/argmax.hpp: the rule, once).
template <class Derived>
Token argmax_token(const Eigen::MatrixBase<Derived>& logits_row) {
  return static_cast<Token>(common::argmax_lowest_index(logits_row));
}

// Bytes forward() holds at its peak for `positions` tokens and `outputs` predictions.
std::uint64_t forward_memory_bytes(const Transformer& model, std::int64_t positions, std::int64_t outputs,
                                   int scalar_bytes);

}  // namespace copyproof::construction
