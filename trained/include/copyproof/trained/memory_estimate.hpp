#pragma once
// Memory a forward pass needs, estimated before it runs, so that `train` and `eval` refuse
// a size that does not fit (exit 2 naming the flag) instead of failing an allocation.

#include <copyproof/trained/network.hpp>

#include <cstdint>

namespace copyproof::trained {

// Floats saved per position by a forward pass over T positions: every layer's widest
// tensors. The transformer's attention weights grow with T (heads x T per position).
std::uint64_t activation_floats_per_position(const ModelConfig& config, std::uint64_t T);

// Bytes of `concurrent` greedy evaluations at once (one per thread), each reading a prompt
// of `prompt` positions with its activations saved, then decoding one token at a time:
// the activations plus 1/8 for what they leave out (the process, logits, the transformer's
// KV cache). Measured peaks were 0.91-1.05 times the activations alone (docs/reliability.md).
inline constexpr std::uint64_t kEvaluationHeadroomEighths = 9;
std::uint64_t evaluation_bytes(const ModelConfig& config, std::uint64_t prompt, std::uint64_t concurrent);

}  // namespace copyproof::trained
