#include "probe_scores.cuh"

#include <cuda_runtime.h>

#include "cuda_check.hpp"
#include "grid.cuh"

namespace copyproof::gpu {
namespace {

__global__ void probe_scores_kernel(const std::int8_t* q, const long long* probe, long long count, const std::int8_t* k,
                                    int stride, std::int32_t* scores) {
  const long long r = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (r >= count) return;
  if (probe[r] < 0) {
    scores[r] = 0;
    return;
  }
  const std::int8_t* qr = q + r * stride;
  const std::int8_t* kr = k + probe[r] * stride;
  int acc = 0;
  for (int c = 0; c < stride; ++c) acc += static_cast<int>(qr[c]) * static_cast<int>(kr[c]);
  scores[r] = acc;
}

}  // namespace

void launch_probe_scores(const std::int8_t* q, const long long* probe, const long long* host_probe, long long count,
                         const std::int8_t* k, long long keys, int stride, std::int32_t* scores) {
  constexpr const char* kName = "probe_scores_kernel";
  require(count >= 0 && stride >= 1 && keys >= 0, kName, "count >= 0, stride >= 1");
  if (count == 0) return;
  require(q && probe && host_probe && k && scores, kName, "a pointer is null");
  for (long long r = 0; r < count; ++r)  // the message is built only on failure
    if (host_probe[r] >= keys) require(false, kName, "probe key " + std::to_string(host_probe[r]) + " >= keys");
  probe_scores_kernel<<<blocks_for(count, kName), kThreadsPerBlock>>>(q, probe, count, k, stride, scores);
  COPYPROOF_LAUNCHED("probe_scores_kernel");
}

}  // namespace copyproof::gpu
