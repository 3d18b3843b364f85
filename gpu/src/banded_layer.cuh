#pragma once
// x_out[i] = x_in[i] + sum over heads of W_o (softmax over the head's window) V, float32,
// one thread per position, in the CPU's order of operations.
// Launcher checks (on the host copy of the head table): window widths <= 64 keys, value
// widths 1 .. kMaxBandedValueWidth, every column inside the projection.
// CPU twin: the direct per-row path of construction::attend (attention.hpp) inside
// construction::forward_to_last_layer (forward.hpp).

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
inline constexpr long long kMaxBandedWindow = 64;  // construction::kBandedWindowLimit

void launch_banded_layer(const float* x_in, long long n, int d, const float* projection, int projection_width,
                         const BandedHead* heads, const BandedHead* host_heads, int head_count,
                         const float* packed_outputs, int packed_output_size, float* x_out);

}  // namespace copyproof::gpu
