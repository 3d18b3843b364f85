#pragma once
// x[i] = embedding[token[i]]: (n, d), float32. Launcher checks: n >= 0, d >= 1, pointers,
// every token < vocab (read on the host from `host_tokens`).
// CPU twin: the embedding step of construction::forward_to_last_layer (forward.hpp).

#include <cstdint>

namespace copyproof::gpu {

void launch_embed(const std::int32_t* tokens, const std::int32_t* host_tokens, long long n, const float* embedding_rows,
                  int vocab, int d, float* x);

}  // namespace copyproof::gpu
