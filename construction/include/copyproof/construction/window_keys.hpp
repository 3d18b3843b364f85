#pragma once
// The window rule, once, for the CPU forward and the CUDA kernels: a query at `position`
// attends to keys j with lo <= position - j <= hi, clipped to the keys that exist,
// [0, keys); the window is empty when first > last (transformer.hpp: RelativeWindow).

#include <cstdint>

#include "copyproof/construction/host_device.hpp"

namespace copyproof::construction {

COPYPROOF_HOST_DEVICE constexpr std::int64_t first_key_in_window(std::int64_t position, std::int64_t hi) {
  return position - hi > 0 ? position - hi : 0;
}
COPYPROOF_HOST_DEVICE constexpr std::int64_t last_key_in_window(std::int64_t position, std::int64_t lo,
                                                                std::int64_t keys) {
  return position - lo < keys - 1 ? position - lo : keys - 1;
}

}  // namespace copyproof::construction
