#pragma once
// The padding of the last layer's int8 key width d_k: rows of queries and keys are stored
// with d_k rounded up to a multiple of kTensorCoreK, the int8 products one tensor-core mma
// sums (mma.m16n8k32 .s8: k = 32), the extra columns 0 (they add nothing to a score). The
// CPU's integer inputs (integer_attention.cpp), the GPU's buffers and capability check
// (gpu_backend.cpp, mma_fragments.hpp's kMmaK) and bench/gpu_check.sh (through `copyproof
// construct --json`'s layer2_int8_key_width) all take it from here.

#include "copyproof/construction/host_device.hpp"

namespace copyproof::construction {

inline constexpr int kTensorCoreK = 32;

// The smallest multiple of kTensorCoreK that is >= key_width (key_width >= 0).
COPYPROOF_HOST_DEVICE constexpr int padded_key_width(int key_width) {
  return (key_width + kTensorCoreK - 1) / kTensorCoreK * kTensorCoreK;
}

}  // namespace copyproof::construction
