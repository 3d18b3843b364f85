#pragma once
// Greedy autoregressive decoding with the generic transformer: tokens are appended one
// at a time; each layer's keys and values and each layer's input stream are cached, so a
// new position costs one attention row per head (the same attend() as the batch forward).

#include <cstdint>
#include <span>
#include <vector>

#include "copyproof/construction/forward.hpp"

namespace copyproof::construction {

template <class Scalar>
class IncrementalDecoder {
 public:
  explicit IncrementalDecoder(const TypedTransformer<Scalar>& model);

  // Appends `token` at the next position; returns the argmax prediction there.
  Token push(Token token);
  std::int64_t size() const { return positions_; }

 private:
  struct HeadCache {
    std::vector<Scalar> keys, values;  // row-major (positions, d_k) and (positions, d_v)
  };
  const TypedTransformer<Scalar>& model_;
  std::vector<std::vector<HeadCache>> cache_;  // [layer][head]
  std::int64_t positions_ = 0;
};

// BOS x COPY, then greedy tokens until EOS or `max_new` tokens (EOS included when emitted).
std::vector<Token> greedy_copy(const TypedTransformer<float>& model, const Vocabulary& vocab, std::span<const Token> x,
                               std::int64_t max_new);
std::vector<Token> greedy_copy(const TypedTransformer<double>& model, const Vocabulary& vocab, std::span<const Token> x,
                               std::int64_t max_new);

}  // namespace copyproof::construction
