#pragma once
// Layer 2 by levels on int8 tensor cores (level_attention.cu). Plain C++ declarations, so the
// host orchestration (gpu_backend.cpp, compiled by the C++ compiler) needs no CUDA syntax.
// Per-lane logic: copyproof/gpu/level_attention_lanes.hpp, checked on the CPU by
// tests/gpu/test_level_attention_emulation.cpp.
// CPU twin: construction::integer_attention_levels (integer_attention.hpp).

#include <cstdint>

namespace copyproof::gpu {

struct LevelAttentionArgs {
  const std::int8_t* q = nullptr;             // device: padded_rows x stride, rows past `queries` zero
  const long long* positions = nullptr;       // device: queries, ascending
  const long long* host_positions = nullptr;  // host copy of the same, for the precondition checks
  long long queries = 0;
  long long padded_rows = 0;       // rows allocated in q
  const std::int8_t* k = nullptr;  // device: keys x stride
  const std::int8_t* v = nullptr;  // device: keys x value_width
  long long keys = 0;
  int stride = 0;                          // padded d_k: 32, 64, 96 or 128
  int value_width = 0;                     // 1 .. 8
  long long window_lo = 0, window_hi = 0;  // keys position - hi .. position - lo
  void* stats = nullptr;                   // device: LevelStats<value_width>[queries]
};

// Query rows a block handles: q must have a multiple of this many rows.
long long level_attention_rows_per_block();

// Checks the preconditions (throws std::invalid_argument naming the first one broken:
// shape, padding, ascending positions within [0, keys + window_lo], window), then launches.
void launch_level_attention(const LevelAttentionArgs& args);

}  // namespace copyproof::gpu
