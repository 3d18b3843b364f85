// Layer 2 on int8 tensor cores: exact integer scores, softmax by levels (level_softmax.hpp).
//
// Scores S = Q K^T come from mma.sync.m16n8k32 (s8 x s8 -> s32): inputs are the +-1 codes
// (and the 1 / -B column), so int32 accumulation is exact. Each row keeps LevelStats: the
// only per-key work on the common path is one comparison of the score against the row's
// threshold (max - kLevels + 1); keys above it update the levels (rare: near-matches).
//
// A block has kWarps warps; each warp owns kRowTiles tiles of 16 query rows. Keys stream
// through shared memory in tiles of kKeyTile, rows padded to P + 16 bytes so the B-fragment
// loads of a warp hit 32 different banks. Fragment layouts (PTX ISA, mma.m16n8k32, .s8):
//   A: reg0 row g, k 4t..4t+3 | reg1 row g+8, same k | reg2 row g, k 16+4t.. | reg3 row g+8
//   B: reg0 k 4t..4t+3, column g | reg1 k 16+4t..
//   C: c0, c1 row g, columns 2t, 2t+1 | c2, c3 row g+8
// with g = lane / 4, t = lane % 4. Each thread thus sees rows g and g + 8 of each row tile and
// the keys 2t, 2t+1 of every 8; the four threads of a group merge their stats at the end.

#include <cuda_runtime.h>

#include <climits>
#include <cstdint>

#include "cuda_check.hpp"
#include "kernels.cuh"

namespace copyproof::gpu {
namespace {

using construction::kLevels;
using construction::LevelStats;

constexpr int kWarps = 8;
constexpr int kRowTiles = 2;
constexpr int kRowsPerBlock = kWarps * kRowTiles * 16;
constexpr int kKeyTile = 128;

__device__ __forceinline__ std::uint32_t load_u32(const std::int8_t* p) {
  return *reinterpret_cast<const std::uint32_t*>(p);
}

__device__ __forceinline__ void mma_s8(int (&c)[4], const std::uint32_t (&a)[4], std::uint32_t b0, std::uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

template <int DV>
__device__ __forceinline__ LevelStats<DV> shuffle_xor(const LevelStats<DV>& s, int mask) {
  LevelStats<DV> o;
  o.max_score = __shfl_xor_sync(0xffffffffu, s.max_score, mask);
#pragma unroll
  for (int t = 0; t < kLevels; ++t) {
    o.count[t] = __shfl_xor_sync(0xffffffffu, s.count[t], mask);
#pragma unroll
    for (int c = 0; c < DV; ++c) o.value_sum[t][c] = __shfl_xor_sync(0xffffffffu, s.value_sum[t][c], mask);
  }
  return o;
}

template <int DV>
struct RowState {
  LevelStats<DV> stats;
  int threshold = INT_MIN;  // scores below it cannot reach a kept level
  long long first_key = 0, last_key = -1;  // the row's window, clipped to the keys

  __device__ __forceinline__ void offer(int score, long long key, const std::int8_t* values) {
    if (score < threshold) return;  // the common path: one comparison
    if (key < first_key || key > last_key) return;
    stats.add(score, values + key * DV, DV);
    threshold = stats.max_score - kLevels + 1;
  }
};

template <int P, int DV>
__global__ void __launch_bounds__(kWarps * 32)
    level_attention_kernel(const std::int8_t* __restrict__ q, const long long* __restrict__ positions,
                           long long queries, const std::int8_t* __restrict__ k, const std::int8_t* __restrict__ v,
                           long long keys, long long window_lo, long long window_hi, LevelStats<DV>* __restrict__ out) {
  constexpr int kSteps = P / 32;
  constexpr int kStride = P + 16;
  __shared__ alignas(16) std::int8_t tile[kKeyTile * kStride];

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane >> 2, t = lane & 3;
  const long long block_row = static_cast<long long>(blockIdx.x) * kRowsPerBlock;

  std::uint32_t a[kRowTiles][kSteps][4];
  RowState<DV> rows[kRowTiles][2];
#pragma unroll
  for (int rt = 0; rt < kRowTiles; ++rt) {
    const long long base = block_row + (warp * kRowTiles + rt) * 16;
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      const long long row = base + g + 8 * half;
      const long long pos = positions[row < queries ? row : queries - 1];
      rows[rt][half].first_key = max(0LL, pos - window_hi);
      rows[rt][half].last_key = min(keys - 1, pos - window_lo);
    }
#pragma unroll
    for (int s = 0; s < kSteps; ++s) {
      const std::int8_t* r0 = q + (base + g) * P + s * 32 + 4 * t;
      const std::int8_t* r8 = q + (base + g + 8) * P + s * 32 + 4 * t;
      a[rt][s][0] = load_u32(r0);
      a[rt][s][1] = load_u32(r8);
      a[rt][s][2] = load_u32(r0 + 16);
      a[rt][s][3] = load_u32(r8 + 16);
    }
  }

  // Keys any row of this block may see.
  const long long last_row = min(block_row + kRowsPerBlock, queries) - 1;
  const long long key_begin = max(0LL, positions[block_row] - window_hi);
  const long long key_end = min(keys - 1, positions[last_row] - window_lo);

  for (long long tile_base = key_begin; tile_base <= key_end; tile_base += kKeyTile) {
    __syncthreads();  // the previous tile is no longer read
    constexpr int kChunks = kKeyTile * P / 16;
    for (int chunk = threadIdx.x; chunk < kChunks; chunk += kWarps * 32) {
      const int key = chunk / (P / 16), part = chunk % (P / 16);
      const long long j = tile_base + key;
      int4 value = make_int4(0, 0, 0, 0);
      if (j <= key_end) value = *reinterpret_cast<const int4*>(k + j * P + part * 16);
      *reinterpret_cast<int4*>(tile + key * kStride + part * 16) = value;
    }
    __syncthreads();

#pragma unroll 2
    for (int sub = 0; sub < kKeyTile / 8; ++sub) {
      std::uint32_t b[kSteps][2];
#pragma unroll
      for (int s = 0; s < kSteps; ++s) {
        const std::int8_t* column = tile + (sub * 8 + g) * kStride + s * 32 + 4 * t;
        b[s][0] = load_u32(column);
        b[s][1] = load_u32(column + 16);
      }
      const long long key0 = tile_base + sub * 8 + 2 * t;
#pragma unroll
      for (int rt = 0; rt < kRowTiles; ++rt) {
        int c[4] = {0, 0, 0, 0};
#pragma unroll
        for (int s = 0; s < kSteps; ++s) mma_s8(c, a[rt][s], b[s][0], b[s][1]);
        rows[rt][0].offer(c[0], key0, v);
        rows[rt][0].offer(c[1], key0 + 1, v);
        rows[rt][1].offer(c[2], key0, v);
        rows[rt][1].offer(c[3], key0 + 1, v);
      }
    }
  }

  // The four threads of a group saw disjoint keys of the same rows: merge, then lane t = 0 writes.
#pragma unroll
  for (int rt = 0; rt < kRowTiles; ++rt)
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      LevelStats<DV> s = rows[rt][half].stats;
      s.merge(shuffle_xor(s, 1), DV);
      s.merge(shuffle_xor(s, 2), DV);
      const long long row = block_row + (warp * kRowTiles + rt) * 16 + g + 8 * half;
      if (t == 0 && row < queries) out[row] = s;
    }
}

template <int P, int DV>
void launch(const std::int8_t* q, const long long* positions, long long queries, const std::int8_t* k,
            const std::int8_t* v, long long keys, long long lo, long long hi, void* stats) {
  const auto blocks = static_cast<unsigned int>((queries + kRowsPerBlock - 1) / kRowsPerBlock);
  level_attention_kernel<P, DV><<<blocks, kWarps * 32>>>(q, positions, queries, k, v, keys, lo, hi,
                                                          static_cast<LevelStats<DV>*>(stats));
  COPYPROOF_LAUNCHED("level_attention_kernel");
}

template <int P>
bool launch_width(int value_width, const std::int8_t* q, const long long* positions, long long queries,
                  const std::int8_t* k, const std::int8_t* v, long long keys, long long lo, long long hi,
                  void* stats) {
  switch (value_width) {
    case 1: launch<P, 1>(q, positions, queries, k, v, keys, lo, hi, stats); return true;
    case 2: launch<P, 2>(q, positions, queries, k, v, keys, lo, hi, stats); return true;
    case 3: launch<P, 3>(q, positions, queries, k, v, keys, lo, hi, stats); return true;
    case 4: launch<P, 4>(q, positions, queries, k, v, keys, lo, hi, stats); return true;
    case 5: launch<P, 5>(q, positions, queries, k, v, keys, lo, hi, stats); return true;
    case 6: launch<P, 6>(q, positions, queries, k, v, keys, lo, hi, stats); return true;
    case 7: launch<P, 7>(q, positions, queries, k, v, keys, lo, hi, stats); return true;
    case 8: launch<P, 8>(q, positions, queries, k, v, keys, lo, hi, stats); return true;
    default: return false;
  }
}

}  // namespace

long long level_attention_rows_per_block() { return kRowsPerBlock; }

bool launch_level_attention(const std::int8_t* q, const long long* positions, long long queries, const std::int8_t* k,
                            const std::int8_t* v, long long keys, int stride, int value_width, long long window_lo,
                            long long window_hi, void* stats) {
  switch (stride) {
    case 32: return launch_width<32>(value_width, q, positions, queries, k, v, keys, window_lo, window_hi, stats);
    case 64: return launch_width<64>(value_width, q, positions, queries, k, v, keys, window_lo, window_hi, stats);
    case 96: return launch_width<96>(value_width, q, positions, queries, k, v, keys, window_lo, window_hi, stats);
    case 128: return launch_width<128>(value_width, q, positions, queries, k, v, keys, window_lo, window_hi, stats);
    default: return false;
  }
}

}  // namespace copyproof::gpu
