#pragma once
// Which matrix entry each lane's registers hold for mma.sync.aligned.m16n8k32 with .s8
// inputs and .s32 accumulators, written from the PTX ISA's formulas ("Matrix Fragments
// for mma.m16n8k32", integer types). Host and device: the kernel indexes its loads with
// these, and the CPU emulation (tests/gpu/test_level_attention_emulation.cpp) rebuilds
// A, B and C from every lane's registers with the same formulas and multiplies them.
//
// groupID = lane >> 2, threadID_in_group = lane % 4.
//   A (16 x 32, four .b32 registers = a0 .. a15, a0 in the lowest byte of the first):
//     row = groupID for a0..a3 and a8..a11, groupID + 8 otherwise;
//     col = threadID_in_group * 4 + (i & 3), plus 16 for i >= 8.
//   B (32 x 8, two .b32 registers = b0 .. b7):
//     row = threadID_in_group * 4 + (i & 3), plus 16 for i >= 4;  col = groupID.
//   C, D (16 x 8, four .s32 = c0 .. c3):
//     row = groupID for c0, c1, groupID + 8 for c2, c3;  col = threadID_in_group * 2 + (i & 1).

#include "copyproof/construction/host_device.hpp"
#include "copyproof/construction/tensor_core_padding.hpp"

// Full unrolling on the device (so that register arrays stay in registers); nothing on the host.
#if defined(__CUDA_ARCH__)
#define COPYPROOF_UNROLL _Pragma("unroll")
#else
#define COPYPROOF_UNROLL
#endif

namespace copyproof::gpu {

inline constexpr int kWarpSize = 32;
inline constexpr int kMmaM = 16;                          // rows of A and C: query rows of one row tile
inline constexpr int kMmaN = 8;                           // columns of B and C: keys of one sub-tile
inline constexpr int kMmaK = construction::kTensorCoreK;  // int8 products one mma sums: the padding unit of d_k
inline constexpr int kARegisters = 4, kBRegisters = 2, kCRegisters = 4;
inline constexpr int kBytesPerRegister = 4;

struct FragmentEntry {
  int row, col;
};

COPYPROOF_HOST_DEVICE constexpr int group_of(int lane) { return lane >> 2; }
COPYPROOF_HOST_DEVICE constexpr int thread_in_group(int lane) { return lane & 3; }

// Entry (row, k) of A held as element a_i (i in 0 .. 15) by `lane`.
COPYPROOF_HOST_DEVICE constexpr FragmentEntry a_entry(int lane, int i) {
  const bool upper_rows = (i >= 4 && i < 8) || i >= 12;
  return {group_of(lane) + (upper_rows ? 8 : 0), thread_in_group(lane) * 4 + (i & 3) + (i >= 8 ? 16 : 0)};
}

// Entry (k, column) of B held as element b_i (i in 0 .. 7) by `lane`.
COPYPROOF_HOST_DEVICE constexpr FragmentEntry b_entry(int lane, int i) {
  return {thread_in_group(lane) * 4 + (i & 3) + (i >= 4 ? 16 : 0), group_of(lane)};
}

// Entry (row, column) of C held as c_i (i in 0 .. 3) by `lane`.
COPYPROOF_HOST_DEVICE constexpr FragmentEntry c_entry(int lane, int i) {
  return {group_of(lane) + (i >= 2 ? 8 : 0), thread_in_group(lane) * 2 + (i & 1)};
}

}  // namespace copyproof::gpu
