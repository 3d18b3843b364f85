#include "project.cuh"

#include <cuda_runtime.h>

#include "cuda_check.hpp"
#include "grid.cuh"

namespace copyproof::gpu {
namespace {

__global__ void project_kernel(const float* x, long long n, int d, const float* w, int columns, float* out) {
  const long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (idx >= n * columns) return;
  const long long i = idx / columns;
  const int c = static_cast<int>(idx % columns);
  const float* row = x + i * d;
  const float* wc = w + static_cast<long long>(c) * d;
  float acc = 0.f;
  for (int r = 0; r < d; ++r) acc = fmaf(row[r], wc[r], acc);
  out[idx] = acc;
}

}  // namespace

void launch_project(const float* x, long long n, int d, const float* w, int columns, float* out) {
  constexpr const char* kName = "project_kernel";
  require(n >= 0 && d >= 1 && columns >= 1, kName, "n >= 0, d >= 1 and columns >= 1");
  if (n == 0) return;
  require(x && w && out, kName, "a pointer is null");
  project_kernel<<<blocks_for(n * columns, kName), kThreadsPerBlock>>>(x, n, d, w, columns, out);
  COPYPROOF_LAUNCHED("project_kernel");
}

}  // namespace copyproof::gpu
