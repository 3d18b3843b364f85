#pragma once
// A Transformer as a safetensors file: every weight matrix as a float64 tensor
// ("embedding" (d_model, vocab), "unembedding" (vocab, d_model),
// "layers.<l>.heads.<h>.{query,key,value,output}"), and each head's name, window,
// position slope and integer promise in the metadata (key "heads", a JSON string).
// Format and keys: docs/cli.md (construct --weights).

#include <string>

#include "copyproof/common/safetensors.hpp"
#include "copyproof/construction/transformer.hpp"

namespace copyproof::construction {

inline constexpr const char* kTransformerFormat = "copyproof-transformer-1";

SafetensorsFile transformer_to_safetensors(const Transformer& model);

// Throws SafetensorsError when the file is not such a model or its shapes disagree.
Transformer transformer_from_safetensors(const SafetensorsFile& file);

}  // namespace copyproof::construction
