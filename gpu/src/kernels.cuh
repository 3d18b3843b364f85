#pragma once
// Launchers of the GPU forward's kernels. Plain pointers and sizes only, so the host
// orchestration (gpu_backend.cpp, compiled by the C++ compiler) needs no CUDA syntax.
// Every matrix is row-major; "rows" are sequence positions.

#include <cstdint>

#include "copyproof/construction/level_softmax.hpp"

namespace copyproof::gpu {

// A banded head of a non-last layer: its q/k/v columns in the layer's projection matrix,
// its window and slope, and where its output projection W_o (d_model x d_v) starts.
struct BandedHead {
  int query_column, key_column, value_column;
  int key_width, value_width;
  float slope;
  long long window_lo, window_hi;
  int output_offset;  // into the layer's packed W_o array
};

inline constexpr int kMaxBandedValueWidth = 32;

// x[i] = embedding[token[i]]: (n, d).
void launch_embed(const std::int32_t* tokens, long long n, const float* embedding_rows, int d, float* x);

// out = x W^T: x (n, d), w (columns, d), out (n, columns).
void launch_project(const float* x, long long n, int d, const float* w, int columns, float* out);

// x_out[i] = x_in[i] + sum over heads of W_o (softmax over the window) V, all in float32.
void launch_banded_layer(const float* x_in, long long n, int d, const float* projection, int projection_width,
                         const BandedHead* heads, int head_count, const float* packed_outputs, float* x_out);

// out[r][c] = round((x[row(r)] . w[c]) / scale) as int8 for c < columns, 0 for columns <= c < stride;
// row(r) = rows ? rows[r] : r. Tracks max |value - rounded| (residual, as float bits), max
// |rounded| (bound) and whether any rounded value left int8 (overflow).
struct RoundingStats {
  unsigned int residual_bits;
  int bound;
  int overflow;
};
void launch_round_projection(const float* x, const long long* rows, long long count, int d, const float* w,
                             int columns, double scale, int stride, std::int8_t* out, RoundingStats* stats);

// scores[r] = <q[r], k[probe[r]]> over `stride` int8 entries, or 0 where probe[r] < 0.
void launch_probe_scores(const std::int8_t* q, const long long* probe, long long count, const std::int8_t* k, int stride,
                         std::int32_t* scores);

// Level statistics of every query row over its allowed keys (level_softmax.hpp), with
// int8 tensor-core scores. Supported: stride (padded d_k) in {32, 64, 96, 128}, value
// width 1..8. q has `padded_rows` rows (a multiple of level_attention_rows_per_block()).
// Returns false for an unsupported shape.
long long level_attention_rows_per_block();
bool launch_level_attention(const std::int8_t* q, const long long* positions, long long queries, const std::int8_t* k,
                            const std::int8_t* v, long long keys, int stride, int value_width, long long window_lo,
                            long long window_hi, void* stats /* LevelStats<value_width>[queries] */);

}  // namespace copyproof::gpu
