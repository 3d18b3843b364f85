#pragma once
// The `int8` precision's forward at a million tokens: layer 1 in float32 over chunks of
// positions (each chunk with the halo its banded windows reach back into, so every row is
// computed exactly as in one whole-sequence forward), layer 2's inputs rounded and packed
// into bit planes chunk by chunk, then layer 2 exactly from the planes (bitplane_attention)
// with each row finished as soon as its block is done. Nothing of size positions x d_model
// is ever held: memory is a few dozen bytes per position.

#include <cstdint>

#include "copyproof/construction/bitplane_attention.hpp"
#include "copyproof/construction/copy_forward.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/forward.hpp"

namespace copyproof::construction {

// Positions per layer-1 chunk.
inline constexpr std::int64_t kLayer1Chunk = 16384;

// Whether exact_copy_forward can run `model`: one head in the last layer with an integer
// promise, and earlier layers whose windows are bounded (so chunks need a finite halo).
bool exact_forward_supported(const TypedTransformer<float>& model);

CopyForwardResult exact_copy_forward(const CopyTransformer& ct, const TypedTransformer<float>& model,
                                     const CopyForwardRequest& request,
                                     PopcountKernel kernel = PopcountKernel::automatic,
                                     std::int64_t chunk = kLayer1Chunk);  // tests vary the chunk

// Peak bytes exact_copy_forward holds for a string of length L (an upper estimate).
std::uint64_t exact_copy_forward_bytes(int alphabet, int ngram, std::int64_t length);

}  // namespace copyproof::construction
