#include "round_projection.cuh"

#include <cuda_runtime.h>

#include <cmath>

#include "copyproof/gpu/int8_rounding.hpp"
#include "cuda_check.hpp"
#include "grid.cuh"

namespace copyproof::gpu {
namespace {

// No thread returns early: every lane takes part in the warp reductions, and lane 0 alone
// updates the three shared statistics (instead of every thread hitting the same addresses).
__global__ void round_projection_kernel(const float* x, const long long* rows, long long count, int d, const float* w,
                                        int columns, double scale, int stride, std::int8_t* out, RoundingStats* stats) {
  const long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  Int8Entry e;
  if (idx < count * stride) {
    const long long r = idx / stride;
    const int c = static_cast<int>(idx % stride);
    if (c < columns) {
      const long long row = rows ? rows[r] : r;
      const float* xr = x + row * d;
      const float* wc = w + static_cast<long long>(c) * d;
      float acc = 0.f;
      for (int k = 0; k < d; ++k) acc = fmaf(xr[k], wc[k], acc);
      e = round_to_int8(static_cast<double>(acc) / scale);
    }
    out[idx] = e.value;  // 0 for padding columns and rejected entries
  }
  // Non-negative floats order as their bit patterns.
  const unsigned int residual = __reduce_max_sync(0xffffffffu, __float_as_uint(e.residual));
  const int bound = __reduce_max_sync(0xffffffffu, e.magnitude);
  const bool rejected = __any_sync(0xffffffffu, e.rejected);
  if (threadIdx.x % 32 == 0) {
    if (residual) atomicMax(&stats->residual_bits, residual);
    if (bound) atomicMax(&stats->bound, bound);
    if (rejected) atomicOr(&stats->overflow, 1);
  }
}

}  // namespace

void launch_round_projection(const float* x, const long long* rows, long long count, int d, const float* w, int columns,
                             double scale, int stride, std::int8_t* out, RoundingStats* stats) {
  constexpr const char* kName = "round_projection_kernel";
  require(count >= 0 && d >= 1 && columns >= 1 && columns <= stride, kName,
          "count >= 0, d >= 1, 1 <= columns <= stride");
  require(scale > 0 && std::isfinite(scale), kName, "scale must be positive and finite");
  if (count == 0) return;
  require(x && w && out && stats, kName, "a pointer is null");
  static_assert(kThreadsPerBlock % 32 == 0, "whole warps: the reductions use a full mask");
  round_projection_kernel<<<blocks_for(count * stride, kName), kThreadsPerBlock>>>(x, rows, count, d, w, columns, scale,
                                                                                   stride, out, stats);
  COPYPROOF_LAUNCHED("round_projection_kernel");
}

}  // namespace copyproof::gpu
