#pragma once
// A generic decoder-only transformer, as data: token embedding, attention-only layers of
// parallel heads added to the residual stream, unembedding. Nothing here knows about
// copying; the copy transformer is one set of weights for it (copy_transformer.hpp).
//
// Head semantics, for a query at position i and a key at position j:
//   score(i, j) = <W_q x_i, W_k x_j> + slope * (i - j)    (no 1/sqrt(d_k): fold it into W_q)
//   allowed iff window.lo <= i - j <= window.hi and 0 <= j   (positions before 0 do not exist)
//   head output = W_o * sum_j softmax_j(score) W_v x_j; an empty window contributes 0.
// Every head of a layer reads the same stream; their outputs are summed into it.

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "copyproof/construction/vocabulary.hpp"
#include "copyproof/construction/window_keys.hpp"

namespace copyproof::construction {

struct RelativeWindow {
  static constexpr std::int64_t kUnbounded = std::numeric_limits<std::int64_t>::max() / 4;
  std::int64_t lo = 0;           // smallest allowed i - j (0: a position may see itself)
  std::int64_t hi = kUnbounded;  // largest allowed i - j
  bool bounded() const { return hi != kUnbounded; }
};

// The window rule, once: a query at `position` may attend to keys [first, last] of
// `keys` keys, clipped at 0 and at the last key (empty when first > last); the rule
// itself is window_keys.hpp's, shared with the GPU kernels.
inline std::int64_t window_first_key(const RelativeWindow& w, std::int64_t position) {
  return first_key_in_window(position, w.hi);
}
inline std::int64_t window_last_key(const RelativeWindow& w, std::int64_t position, std::int64_t keys) {
  return last_key_in_window(position, w.lo, keys);
}

struct AttentionHead {
  std::string name;
  Eigen::MatrixXd query;   // (d_k, d_model)
  Eigen::MatrixXd key;     // (d_k, d_model)
  Eigen::MatrixXd value;   // (d_v, d_model)
  Eigen::MatrixXd output;  // (d_model, d_v)
  double position_slope = 0.0;
  RelativeWindow window;
  // > 0: a promise that on this model's inputs W_q x / unit, W_k x and W_v x lie near
  // integer vectors (the copy transformer's layer 2: +-1 codes). The forward ignores it;
  // the exact integer-score paths (integer_attention.hpp, gpu/) use it and measure how
  // near the promise holds.
  double integer_score_unit = 0.0;
};

struct TransformerLayer {
  std::vector<AttentionHead> heads;
};

struct Transformer {
  Eigen::MatrixXd embedding;  // (d_model, vocab): column t is token t's embedding
  std::vector<TransformerLayer> layers;
  Eigen::MatrixXd unembedding;  // (vocab, d_model): logits = unembedding * stream

  int d_model() const { return static_cast<int>(embedding.rows()); }
  int vocab() const { return static_cast<int>(embedding.cols()); }
  // Throws std::invalid_argument when shapes disagree or a window is malformed.
  void validate() const;
  // Every stored number (projections, slopes, embeddings), zeros included; and the nonzero ones.
  std::int64_t parameter_count() const;
  std::int64_t nonzero_parameter_count() const;
};

}  // namespace copyproof::construction
