#pragma once
// Internal: the numbers of a fixed-state model's decode state (LSTM: h and c of every layer;
// Mamba: scan state and conv tail of every layer), so that the pigeonhole check can read
// and overwrite them. Empty for a state of another architecture.

#include <copyproof/trained/network.hpp>

#include <vector>

#include "copyproof/common/argmax.hpp"

namespace copyproof::trained {

std::vector<Matrix<float>*> lstm_state_matrices(DecodeStateBase& state);
std::vector<Matrix<float>*> mamba_state_matrices(DecodeStateBase& state);

// The state of `net` (an LSTM or a Mamba), whichever it is: what the pigeonhole check and
// the quantized-state eval read and overwrite.
inline std::vector<Matrix<float>*> state_matrices(const Network<float>& net, DecodeStateBase& state) {
  return net.config().kind == ModelKind::lstm ? lstm_state_matrices(state) : mamba_state_matrices(state);
}

// Greedy decoding's choice at `row` of `logits`: the one argmax rule (common/argmax.hpp).
inline int greedy_token(const Matrix<float>& logits, Eigen::Index row) {
  return static_cast<int>(common::argmax_lowest_index(logits.row(row)));
}

}  // namespace copyproof::trained
