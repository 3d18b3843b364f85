#include "copyproof/construction/forward.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <type_traits>

namespace copyproof::construction {

template <class Scalar>
TypedTransformer<Scalar>::TypedTransformer(const Transformer& model) {
  model.validate();
  d_model = model.d_model();
  vocab = model.vocab();
  embedding_rows = model.embedding.transpose().cast<Scalar>();
  unembedding_t = model.unembedding.transpose().cast<Scalar>();
  for (const auto& layer : model.layers) {
    auto& typed = layers.emplace_back();
    for (const auto& h : layer.heads) {
      typed.push_back(TypedHead<Scalar>{h.query.transpose().cast<Scalar>(), h.key.transpose().cast<Scalar>(),
                                        h.value.transpose().cast<Scalar>(), h.output.transpose().cast<Scalar>(),
                                        h.position_slope, h.window, h.integer_score_unit});
    }
  }
}

namespace {

// Runs every head of a layer for queries `xq` at `positions` against keys/values from `x`
// (all positions), adding the heads' outputs to `stream` (rows matching xq).
template <class Scalar>
void run_layer(const std::vector<TypedHead<Scalar>>& heads, const RowMatrix<Scalar>& x, const RowMatrix<Scalar>& xq,
               std::span<const std::int64_t> positions, RowMatrix<Scalar>& stream, RowMatrix<Scalar>* lse,
               int threads) {
  for (std::size_t h = 0; h < heads.size(); ++h) {
    const auto& head = heads[h];
    const RowMatrix<Scalar> q = xq * head.query_t;
    const RowMatrix<Scalar> k = x * head.key_t;
    const RowMatrix<Scalar> v = x * head.value_t;
    RowMatrix<Scalar> o(q.rows(), v.cols());
    Vector<Scalar> head_lse(q.rows());
    const AttentionProblem<Scalar> problem{q, positions, k, v, head.position_slope, head.window};
    attend<Scalar>(problem, o, head_lse.data(), threads);
    stream.noalias() += o * head.output_t;
    if (lse) lse->col(static_cast<Eigen::Index>(h)) = head_lse;
  }
}

}  // namespace

template <class Scalar>
RowMatrix<Scalar> forward_to_last_layer(const TypedTransformer<Scalar>& model, std::span<const Token> tokens,
                                        const ForwardOptions& options) {
  const auto n = static_cast<std::int64_t>(tokens.size());
  if (n == 0) throw std::invalid_argument("forward: empty sequence");
  for (Token t : tokens)
    if (t < 0 || t >= model.vocab) throw std::invalid_argument("forward: token outside the vocabulary");
  RowMatrix<Scalar> x(n, model.d_model);
  for (std::int64_t i = 0; i < n; ++i) x.row(i) = model.embedding_rows.row(tokens[static_cast<std::size_t>(i)]);
  std::vector<std::int64_t> all_positions(static_cast<std::size_t>(n));
  std::iota(all_positions.begin(), all_positions.end(), std::int64_t{0});
  for (std::size_t layer = 0; layer + 1 < model.layers.size(); ++layer) {
    RowMatrix<Scalar> next = x;  // heads read the stream before the layer, write into a copy
    run_layer<Scalar>(model.layers[layer], x, x, all_positions, next, nullptr, options.threads);
    x.swap(next);
  }
  return x;
}

template <class Scalar>
ForwardResult<Scalar> forward(const TypedTransformer<Scalar>& model, std::span<const Token> tokens,
                              std::span<const std::int64_t> output_positions, const ForwardOptions& options) {
  const auto n = static_cast<std::int64_t>(tokens.size());
  if (!std::is_sorted(output_positions.begin(), output_positions.end()) ||
      (!output_positions.empty() && (output_positions.front() < 0 || output_positions.back() >= n)))
    throw std::invalid_argument("forward: output positions must ascend within the sequence");
  ForwardResult<Scalar> result;
  result.last_layer_input = forward_to_last_layer(model, tokens, options);
  const RowMatrix<Scalar>& x = result.last_layer_input;

  const auto outputs = static_cast<std::int64_t>(output_positions.size());
  RowMatrix<Scalar> xq(outputs, model.d_model);
  for (std::int64_t r = 0; r < outputs; ++r) xq.row(r) = x.row(output_positions[static_cast<std::size_t>(r)]);
  result.output_stream = xq;
  const auto& last = model.layers.back();
  result.last_layer_lse.resize(outputs, static_cast<Eigen::Index>(last.size()));
  run_layer<Scalar>(last, x, xq, output_positions, result.output_stream, &result.last_layer_lse, options.threads);

  result.logits = result.output_stream * model.unembedding_t;
  result.predictions.resize(static_cast<std::size_t>(outputs));
  for (std::int64_t r = 0; r < outputs; ++r)
    result.predictions[static_cast<std::size_t>(r)] = argmax_token(result.logits.row(r));
  return result;
}

template <class Scalar>
LastLayerScores<Scalar>::LastLayerScores(const TypedTransformer<Scalar>& model, const ForwardResult<Scalar>& result,
                                         std::span<const std::int64_t> output_positions, int head, int threads)
    : positions_(output_positions) {
  const TypedHead<Scalar>& h = model.layers.back().at(static_cast<std::size_t>(head));
  position_slope_ = h.position_slope;
  window_ = h.window;
  RowMatrix<double> xq(static_cast<Eigen::Index>(output_positions.size()), model.d_model);
  for (std::size_t r = 0; r < output_positions.size(); ++r)
    xq.row(static_cast<Eigen::Index>(r)) = result.last_layer_input.row(output_positions[r]).template cast<double>();
  queries_ = xq * h.query_t.template cast<double>();
  keys_ = result.last_layer_input.template cast<double>() * h.key_t.template cast<double>();
  empty_values_.resize(keys_.rows(), 0);
  if constexpr (std::is_same_v<Scalar, double>) {
    lse_ = result.last_layer_lse.col(head);
  } else {
    // The same softmax over the same inputs, in float64 (values unused: width 0).
    lse_.resize(queries_.rows());
    RowMatrix<double> no_output(queries_.rows(), 0);
    const AttentionProblem<double> problem{queries_, positions_, keys_, empty_values_, position_slope_, window_};
    attend<double>(problem, no_output, lse_.data(), threads);
  }
}

template <class Scalar>
double LastLayerScores<Scalar>::mass(std::int64_t row, std::int64_t key_position) const {
  const AttentionProblem<double> problem{queries_, positions_, keys_, empty_values_, position_slope_, window_};
  const double score = attention_score<double>(problem, row, key_position);
  return std::exp(score - lse_(row));
}

std::uint64_t forward_memory_bytes(const Transformer& model, std::int64_t positions, std::int64_t outputs,
                                   int scalar_bytes) {
  std::int64_t widest_head = 0;  // d_k + d_k + d_v + d_v: q, k, v and the head output
  for (const auto& layer : model.layers)
    for (const auto& h : layer.heads)
      widest_head = std::max<std::int64_t>(widest_head, 2 * h.query.rows() + 2 * h.value.rows());
  const std::int64_t d = model.d_model();
  // Stream and its next copy, one head's q/k/v/o, the output rows, and the position list.
  const double numbers =
      2.0 * positions * d + static_cast<double>(positions) * widest_head + 3.0 * outputs * (d + model.vocab());
  return static_cast<std::uint64_t>(numbers * scalar_bytes + 8.0 * positions);
}

template struct TypedTransformer<float>;
template struct TypedTransformer<double>;
template RowMatrix<float> forward_to_last_layer(const TypedTransformer<float>&, std::span<const Token>,
                                                const ForwardOptions&);
template RowMatrix<double> forward_to_last_layer(const TypedTransformer<double>&, std::span<const Token>,
                                                 const ForwardOptions&);
template ForwardResult<float> forward(const TypedTransformer<float>&, std::span<const Token>,
                                      std::span<const std::int64_t>, const ForwardOptions&);
template ForwardResult<double> forward(const TypedTransformer<double>&, std::span<const Token>,
                                       std::span<const std::int64_t>, const ForwardOptions&);
template struct LastLayerScores<float>;
template struct LastLayerScores<double>;

}  // namespace copyproof::construction
