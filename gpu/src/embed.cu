#include "embed.cuh"

#include <cuda_runtime.h>

#include "cuda_check.hpp"
#include "grid.cuh"

namespace copyproof::gpu {
namespace {

__global__ void embed_kernel(const std::int32_t* tokens, long long n, const float* embedding_rows, int d, float* x) {
  const long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (idx >= n * d) return;
  const long long i = idx / d;
  const int c = static_cast<int>(idx % d);
  x[idx] = embedding_rows[static_cast<long long>(tokens[i]) * d + c];
}

}  // namespace

void launch_embed(const std::int32_t* tokens, const std::int32_t* host_tokens, long long n, const float* embedding_rows,
                  int vocab, int d, float* x) {
  constexpr const char* kName = "embed_kernel";
  require(n >= 0 && d >= 1 && vocab >= 1, kName, "n >= 0, d >= 1 and vocab >= 1");
  if (n == 0) return;
  require(tokens && host_tokens && embedding_rows && x, kName, "a pointer is null");
  for (long long i = 0; i < n; ++i)  // the message is built only on failure
    if (host_tokens[i] < 0 || host_tokens[i] >= vocab)
      require(false, kName, "token outside [0, vocab) at " + std::to_string(i));
  embed_kernel<<<blocks_for(n * d, kName), kThreadsPerBlock>>>(tokens, n, embedding_rows, d, x);
  COPYPROOF_LAUNCHED("embed_kernel");
}

}  // namespace copyproof::gpu
