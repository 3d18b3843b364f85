// Layer 1 (embedding, projections, banded heads) and the int8 rounding of layer 2's
// inputs: O(L d) work, float32 like the CPU forward.

#include <cuda_runtime.h>

#include <climits>
#include <cmath>

#include "cuda_check.hpp"
#include "kernels.cuh"

namespace copyproof::gpu {
namespace {

constexpr int kThreads = 256;

unsigned int blocks_for(long long work) { return static_cast<unsigned int>((work + kThreads - 1) / kThreads); }

__global__ void embed_kernel(const std::int32_t* tokens, long long n, const float* embedding_rows, int d, float* x) {
  const long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (idx >= n * d) return;
  const long long i = idx / d;
  const int c = static_cast<int>(idx % d);
  x[idx] = embedding_rows[static_cast<long long>(tokens[i]) * d + c];
}

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

// One thread per position: every banded head's softmax over its window (<= 64 keys), in
// the same order of operations as the CPU's banded path.
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
    const long long first = max(0LL, i - head.window_hi);
    const long long last = min(n - 1, i - head.window_lo);
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

__global__ void round_projection_kernel(const float* x, const long long* rows, long long count, int d, const float* w,
                                        int columns, double scale, int stride, std::int8_t* out,
                                        RoundingStats* stats) {
  const long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (idx >= count * stride) return;
  const long long r = idx / stride;
  const int c = static_cast<int>(idx % stride);
  if (c >= columns) {
    out[idx] = 0;
    return;
  }
  const long long row = rows ? rows[r] : r;
  const float* xr = x + row * d;
  const float* wc = w + static_cast<long long>(c) * d;
  float acc = 0.f;
  for (int k = 0; k < d; ++k) acc = fmaf(xr[k], wc[k], acc);
  const double value = static_cast<double>(acc) / scale;
  const double rounded = nearbyint(value);
  if (fabs(rounded) > 127.0) {
    atomicOr(&stats->overflow, 1);
    out[idx] = 0;
    return;
  }
  out[idx] = static_cast<std::int8_t>(rounded);
  const float residual = static_cast<float>(fabs(value - rounded));
  atomicMax(&stats->residual_bits, __float_as_uint(residual));  // non-negative floats order as their bits
  atomicMax(&stats->bound, static_cast<int>(fabs(rounded)));
}

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

void launch_embed(const std::int32_t* tokens, long long n, const float* embedding_rows, int d, float* x) {
  embed_kernel<<<blocks_for(n * d), kThreads>>>(tokens, n, embedding_rows, d, x);
  COPYPROOF_LAUNCHED("embed_kernel");
}

void launch_project(const float* x, long long n, int d, const float* w, int columns, float* out) {
  project_kernel<<<blocks_for(n * columns), kThreads>>>(x, n, d, w, columns, out);
  COPYPROOF_LAUNCHED("project_kernel");
}

void launch_banded_layer(const float* x_in, long long n, int d, const float* projection, int projection_width,
                         const BandedHead* heads, int head_count, const float* packed_outputs, float* x_out) {
  banded_layer_kernel<<<blocks_for(n), kThreads>>>(x_in, n, d, projection, projection_width, heads, head_count,
                                                    packed_outputs, x_out);
  COPYPROOF_LAUNCHED("banded_layer_kernel");
}

void launch_round_projection(const float* x, const long long* rows, long long count, int d, const float* w,
                             int columns, double scale, int stride, std::int8_t* out, RoundingStats* stats) {
  round_projection_kernel<<<blocks_for(count * stride), kThreads>>>(x, rows, count, d, w, columns, scale, stride, out,
                                                                     stats);
  COPYPROOF_LAUNCHED("round_projection_kernel");
}

void launch_probe_scores(const std::int8_t* q, const long long* probe, long long count, const std::int8_t* k, int stride,
                         std::int32_t* scores) {
  probe_scores_kernel<<<blocks_for(count), kThreads>>>(q, probe, count, k, stride, scores);
  COPYPROOF_LAUNCHED("probe_scores_kernel");
}

}  // namespace copyproof::gpu
