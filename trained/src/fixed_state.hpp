#pragma once
// Internal: the numbers of a fixed-state model's decode state (LSTM: h and c of every layer;
// Mamba: scan state and conv tail of every layer), so that the pigeonhole check can read
// and overwrite them. Empty for a state of another architecture.

#include <copyproof/trained/network.hpp>

#include <vector>

namespace copyproof::trained {

std::vector<Matrix<float>*> lstm_state_matrices(DecodeStateBase& state);
std::vector<Matrix<float>*> mamba_state_matrices(DecodeStateBase& state);

}  // namespace copyproof::trained
