#pragma once
// out = x W^T: x (n, d), w (columns, d), out (n, columns), float32 with fmaf in index order.
// Launcher checks: n >= 0, d >= 1, columns >= 1, pointers.
// CPU twin: the q/k/v projections of construction::forward_to_last_layer (forward.hpp).

namespace copyproof::gpu {

void launch_project(const float* x, long long n, int d, const float* w, int columns, float* out);

}  // namespace copyproof::gpu
