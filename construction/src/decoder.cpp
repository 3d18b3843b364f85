#include "copyproof/construction/decoder.hpp"

#include <stdexcept>

namespace copyproof::construction {

template <class Scalar>
IncrementalDecoder<Scalar>::IncrementalDecoder(const TypedTransformer<Scalar>& model) : model_(model) {
  for (const auto& layer : model.layers) cache_.emplace_back(layer.size());
}

template <class Scalar>
Token IncrementalDecoder<Scalar>::push(Token token) {
  if (token < 0 || token >= model_.vocab)
    throw std::invalid_argument("IncrementalDecoder: token outside the vocabulary");
  const std::int64_t t = positions_++;
  const std::int64_t position[1] = {t};
  Eigen::Matrix<Scalar, 1, Eigen::Dynamic> x = model_.embedding_rows.row(token);
  for (std::size_t layer = 0; layer < model_.layers.size(); ++layer) {
    Eigen::Matrix<Scalar, 1, Eigen::Dynamic> next = x;
    for (std::size_t h = 0; h < model_.layers[layer].size(); ++h) {
      const auto& head = model_.layers[layer][h];
      auto& c = cache_[layer][h];
      const auto dk = head.key_t.cols(), dv = head.value_t.cols();
      const RowMatrix<Scalar> q = x * head.query_t;
      const RowMatrix<Scalar> k = x * head.key_t;
      const RowMatrix<Scalar> v = x * head.value_t;
      c.keys.insert(c.keys.end(), k.data(), k.data() + dk);
      c.values.insert(c.values.end(), v.data(), v.data() + dv);
      const Eigen::Map<const RowMatrix<Scalar>> keys(c.keys.data(), positions_, dk);
      const Eigen::Map<const RowMatrix<Scalar>> values(c.values.data(), positions_, dv);
      RowMatrix<Scalar> o(1, dv);
      const AttentionProblem<Scalar> problem{
          q, std::span<const std::int64_t>(position, 1), keys, values, head.position_slope, head.window};
      attend<Scalar>(problem, o, nullptr, 1);
      next.noalias() += o * head.output_t;
    }
    x = next;
  }
  return argmax_token(x * model_.unembedding_t);
}

namespace {

template <class Scalar>
std::vector<Token> greedy_copy_impl(const TypedTransformer<Scalar>& model, const Vocabulary& vocab,
                                    std::span<const Token> x, std::int64_t max_new) {
  IncrementalDecoder<Scalar> decoder(model);
  decoder.push(vocab.bos());
  for (Token t : x) decoder.push(t);
  Token next = decoder.push(vocab.copy());
  std::vector<Token> emitted;
  while (static_cast<std::int64_t>(emitted.size()) < max_new) {
    emitted.push_back(next);
    if (next == vocab.eos() || static_cast<std::int64_t>(emitted.size()) == max_new) break;
    next = decoder.push(next);
  }
  return emitted;
}

}  // namespace

std::vector<Token> greedy_copy(const TypedTransformer<float>& model, const Vocabulary& vocab, std::span<const Token> x,
                               std::int64_t max_new) {
  return greedy_copy_impl(model, vocab, x, max_new);
}
std::vector<Token> greedy_copy(const TypedTransformer<double>& model, const Vocabulary& vocab, std::span<const Token> x,
                               std::int64_t max_new) {
  return greedy_copy_impl(model, vocab, x, max_new);
}

template class IncrementalDecoder<float>;
template class IncrementalDecoder<double>;

}  // namespace copyproof::construction
