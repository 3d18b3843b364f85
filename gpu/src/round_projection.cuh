#pragma once
// out[r][c] = round((x[row(r)] . w[c]) / scale) as int8 for c < columns, 0 for columns <= c
// < stride; row(r) = rows ? rows[r] : r. Per entry: copyproof/gpu/int8_rounding.hpp.
// Tracks max |value - rounded| (residual, as float bits), max |rounded| (bound) and
// whether any entry was rejected (overflow: out of int8, NaN or infinite), one atomic per
// warp and statistic. Launcher checks: 1 <= columns <= stride, scale > 0 and finite, d >= 1.
// CPU twin: construction::round_last_layer_head (integer_attention.hpp).

#include <cstdint>

namespace copyproof::gpu {

struct RoundingStats {
  unsigned int residual_bits;
  int bound;
  int overflow;
};

void launch_round_projection(const float* x, const long long* rows, long long count, int d, const float* w, int columns,
                             double scale, int stride, std::int8_t* out, RoundingStats* stats);

}  // namespace copyproof::gpu
