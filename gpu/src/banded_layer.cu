#include "banded_layer.cuh"

#include <cuda_runtime.h>

#include <cmath>

#include "copyproof/construction/window_keys.hpp"
#include "cuda_check.hpp"
#include "grid.cuh"

namespace copyproof::gpu {
namespace {

__global__ void banded_layer_kernel(const float* x_in, long long n, int d, const float* projection, int width,
                                    const BandedHead* heads, int head_count, const float* packed_outputs,
                                    float* x_out) {
  const long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  float* out_row = x_out + i * d;
  for (int c = 0; c < d; ++c) out_row[c] = x_in[i * d + c];
  const float* own = projection + i * width;
  for (int h = 0; h < head_count; ++h) {
    const BandedHead head = heads[h];
    const long long first = construction::first_key_in_window(i, head.window_hi);  // window_keys.hpp
    const long long last = construction::last_key_in_window(i, head.window_lo, n);
    if (first > last) continue;  // empty window: the head writes 0
    float m = -INFINITY;
    for (long long j = first; j <= last; ++j) {
      const float* other = projection + j * width;
      float s = 0.f;
      for (int r = 0; r < head.key_width; ++r) s += own[head.query_column + r] * other[head.key_column + r];
      s += head.slope * static_cast<float>(i - j);
      m = fmaxf(m, s);
    }
    float o[kMaxBandedValueWidth];
    for (int r = 0; r < head.value_width; ++r) o[r] = 0.f;
    float l = 0.f;
    for (long long j = first; j <= last; ++j) {
      const float* other = projection + j * width;
      float s = 0.f;
      for (int r = 0; r < head.key_width; ++r) s += own[head.query_column + r] * other[head.key_column + r];
      s += head.slope * static_cast<float>(i - j);
      const float w = expf(s - m);
      l += w;
      for (int r = 0; r < head.value_width; ++r) o[r] += w * other[head.value_column + r];
    }
    const float* wo = packed_outputs + head.output_offset;  // (d, d_v)
    for (int c = 0; c < d; ++c) {
      float acc = 0.f;
      for (int r = 0; r < head.value_width; ++r) acc += wo[c * head.value_width + r] * (o[r] / l);
      out_row[c] += acc;
    }
  }
}

}  // namespace

void launch_banded_layer(const float* x_in, long long n, int d, const float* projection, int projection_width,
                         const BandedHead* heads, const BandedHead* host_heads, int head_count,
                         const float* packed_outputs, int packed_output_size, float* x_out) {
  constexpr const char* kName = "banded_layer_kernel";
  require(n >= 0 && d >= 1 && projection_width >= 1 && head_count >= 0, kName, "n >= 0, d >= 1, width >= 1");
  if (n == 0) return;
  require(x_in && projection && x_out && (head_count == 0 || (heads && host_heads && packed_outputs)), kName,
          "a pointer is null");
  for (int h = 0; h < head_count; ++h) {
    const BandedHead& b = host_heads[h];
    const std::string head = "head " + std::to_string(h) + ": ";
    require(b.window_lo <= b.window_hi && b.window_hi - b.window_lo + 1 <= kMaxBandedWindow, kName,
            head + "window wider than 64 keys");
    require(b.value_width >= 1 && b.value_width <= kMaxBandedValueWidth, kName, head + "value width outside 1 .. 32");
    require(b.key_width >= 0 && b.query_column >= 0 && b.key_column >= 0 && b.value_column >= 0 &&
                b.query_column + b.key_width <= projection_width && b.key_column + b.key_width <= projection_width &&
                b.value_column + b.value_width <= projection_width,
            kName, head + "a column outside the projection");
    require(b.output_offset >= 0 && b.output_offset + d * b.value_width <= packed_output_size, kName,
            head + "W_o outside the packed outputs");
  }
  banded_layer_kernel<<<blocks_for(n, kName), kThreadsPerBlock>>>(x_in, n, d, projection, projection_width, heads,
                                                                  head_count, packed_outputs, x_out);
  COPYPROOF_LAUNCHED("banded_layer_kernel");
}

}  // namespace copyproof::gpu
