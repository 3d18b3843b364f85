// Layer 2 on int8 tensor cores: exact integer scores, softmax by levels (level_softmax.hpp).
//
// Scores S = Q K^T come from mma.sync.m16n8k32 (s8 x s8 -> s32): inputs are the +-1 codes
// (and the 1 / -B column), so int32 accumulation is exact. A block has kLevelWarps warps;
// each warp owns kLevelRowTiles tiles of 16 query rows. Keys stream through shared memory
// in tiles of kLevelKeyTile, rows padded so the B-fragment loads of a warp hit 32 banks.
// Every index below comes from level_attention_lanes.hpp / mma_fragments.hpp (the PTX
// fragment layouts), which the CPU emulation test runs lane by lane.
//
// The hot loop per sub-tile of 8 keys: the B loads, kSteps mma per row tile, then one
// comparison per score against the row's threshold (a register) and one branch. Only when
// some score reaches a threshold (near-matches: rare) does the lane compute key indices,
// check windows and update its levels. Padding rows and
// rows with empty windows have a threshold no score reaches; sub-tiles past the block's
// last key are not visited; a warp whose rows are all padding only helps load the tiles.

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "copyproof/gpu/level_attention_lanes.hpp"
#include "cuda_check.hpp"
#include "grid.cuh"
#include "level_attention.cuh"

namespace copyproof::gpu {
namespace {

using construction::LevelStats;

__device__ __forceinline__ std::uint32_t load_u32(const std::int8_t* p) {
  return *reinterpret_cast<const std::uint32_t*>(p);
}

__device__ __forceinline__ void mma_s8(int (&c)[kCRegisters], const std::uint32_t (&a)[kARegisters],
                                       const std::uint32_t (&b)[kBRegisters]) {
  asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

template <int DV>
__device__ __forceinline__ LevelStats<DV> shuffle_xor(const LevelStats<DV>& s, int mask) {
  LevelStats<DV> o;
  o.max_score = __shfl_xor_sync(0xffffffffu, s.max_score, mask);
#pragma unroll
  for (int t = 0; t < construction::kLevels; ++t) {
    o.count[t] = __shfl_xor_sync(0xffffffffu, s.count[t], mask);
#pragma unroll
    for (int c = 0; c < DV; ++c) o.value_sum[t][c] = __shfl_xor_sync(0xffffffffu, s.value_sum[t][c], mask);
  }
  return o;
}

template <int P, int DV>
__global__ void __launch_bounds__(kLevelWarps* kWarpSize)
    level_attention_kernel(const std::int8_t* __restrict__ q, const long long* __restrict__ positions,
                           long long queries, const std::int8_t* __restrict__ k, const std::int8_t* __restrict__ v,
                           long long keys, long long window_lo, long long window_hi, LevelStats<DV>* __restrict__ out) {
  using Shape = LevelShape<P>;
  __shared__ alignas(16) std::int8_t tile[Shape::kTileBytes];

  const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
  const long long block_row = static_cast<long long>(blockIdx.x) * kLevelRowsPerBlock;
  const int live = live_row_tiles(block_row, warp, queries);  // warp-uniform

  std::uint32_t a[kLevelRowTiles][Shape::kSteps][kARegisters];
#pragma unroll
  for (int rt = 0; rt < kLevelRowTiles; ++rt)
#pragma unroll
    for (int s = 0; s < Shape::kSteps; ++s)
#pragma unroll
      for (int r = 0; r < kARegisters; ++r)
        a[rt][s][r] = load_u32(q + a_register_offset<P>(tile_row(block_row, warp, rt), lane, s, r));  // q is padded
  LaneRows<DV> rows;
  LaneThresholds threshold;
  rows.init(threshold, positions, block_row, warp, lane, queries, keys, window_lo, window_hi);

  const std::int8_t* b_lane = tile + b_register_offset<P>(0, lane, 0, 0);  // hoisted out of the hot loop
  const KeyRange block = block_keys(positions, block_row, queries, keys, window_lo, window_hi);
  for (long long tile_base = block.first; tile_base <= block.last; tile_base += kLevelKeyTile) {
    __syncthreads();  // the previous tile is no longer read
    for (int chunk = threadIdx.x; chunk < Shape::kChunks; chunk += kLevelWarps * kWarpSize) {
      const TileChunk<P> c(chunk);
      int4 value = make_int4(0, 0, 0, 0);
      if (tile_base + c.key <= block.last)
        value = *reinterpret_cast<const int4*>(k + (tile_base + c.key) * P + c.key_offset);
      *reinterpret_cast<int4*>(tile + c.shared_offset) = value;
    }
    __syncthreads();
    if (live == 0) continue;  // a warp of padding rows only loads

    const int subs = live_sub_tiles(tile_base, block.last);
#pragma unroll 2
    for (int sub = 0; sub < subs; ++sub) {
      std::uint32_t b[Shape::kSteps][kBRegisters];
#pragma unroll
      for (int s = 0; s < Shape::kSteps; ++s)
#pragma unroll
        for (int r = 0; r < kBRegisters; ++r) b[s][r] = load_u32(b_lane + b_register_step<P>(sub, s, r));
      // Every row tile of a live warp: a padding tile's scores (zero rows) reach no threshold,
      // and a predicated mma would cost more on this path than the tensor work it saves.
      int c[kLevelRowTiles][kCRegisters];
#pragma unroll
      for (int rt = 0; rt < kLevelRowTiles; ++rt) {
#pragma unroll
        for (int i = 0; i < kCRegisters; ++i) c[rt][i] = 0;
#pragma unroll
        for (int s = 0; s < Shape::kSteps; ++s) mma_s8(c[rt], a[rt][s], b[s]);
      }
      if (__builtin_expect(any_relevant(threshold, c), 0))
        rows.offer(threshold, c, tile_base + sub * kMmaN, lane, v);  // rare
    }
  }

#pragma unroll
  for (int rt = 0; rt < kLevelRowTiles; ++rt)
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      LevelStats<DV> s = rows.stats[rt][half];
#pragma unroll
      for (int step = 0; step < kMergeSteps; ++step) s.merge(shuffle_xor(s, merge_mask(step)), DV);
      const long long row = LaneRows<DV>::row_of(block_row, warp, lane, rt, half);
      if (writes_rows(lane) && row < queries) out[row] = s;
    }
}

template <int P, int DV>
void launch(const LevelAttentionArgs& x) {
  const auto blocks = static_cast<unsigned int>((x.queries + kLevelRowsPerBlock - 1) / kLevelRowsPerBlock);
  level_attention_kernel<P, DV><<<blocks, kLevelWarps * kWarpSize>>>(
      x.q, x.positions, x.queries, x.k, x.v, x.keys, x.window_lo, x.window_hi, static_cast<LevelStats<DV>*>(x.stats));
  COPYPROOF_LAUNCHED("level_attention_kernel");
}

template <int P>
void launch_width(const LevelAttentionArgs& x) {
#if defined(COPYPROOF_SASS_64_3)  // a quick build of the B(4,12) shape alone, for bench/gpu_sass_count.py
  if (P == 64 && x.value_width == 3) return launch<64, 3>(x);
  throw std::invalid_argument("built with COPYPROOF_SASS_64_3: P = 64, d_v = 3 only");
#else
  switch (x.value_width) {
    case 1: return launch<P, 1>(x);
    case 2: return launch<P, 2>(x);
    case 3: return launch<P, 3>(x);
    case 4: return launch<P, 4>(x);
    case 5: return launch<P, 5>(x);
    case 6: return launch<P, 6>(x);
    case 7: return launch<P, 7>(x);
    case 8: return launch<P, 8>(x);
    default: throw std::invalid_argument("level attention: value width must be 1 .. 8");
  }
#endif
}

constexpr const char* kName = "level_attention_kernel";

}  // namespace

long long level_attention_rows_per_block() { return kLevelRowsPerBlock; }

void launch_level_attention(const LevelAttentionArgs& x) {
  const auto check = [](bool ok, const std::string& what) { require(ok, kName, what); };
  check(x.stride == 32 || x.stride == 64 || x.stride == 96 || x.stride == 128,
        "stride (padded d_k) must be 32, 64, 96 or 128, got " + std::to_string(x.stride));
  check(x.value_width >= 1 && x.value_width <= kLevelMaxValueWidth,
        "value width must be 1 .. 8, got " + std::to_string(x.value_width));
  check(x.queries >= 0 && x.keys >= 0, "negative query or key count");
  check(x.padded_rows % kLevelRowsPerBlock == 0 && x.padded_rows >= x.queries,
        "q must have a multiple of " + std::to_string(kLevelRowsPerBlock) + " rows, at least the queries");
  check(x.window_lo <= x.window_hi, "window lo > hi");
  check(x.host_positions != nullptr || x.queries == 0, "host positions are needed to check them");
  for (long long i = 0; i < x.queries; ++i) {  // messages built only on failure
    if (x.host_positions[i] < 0 || x.host_positions[i] >= x.keys)
      check(false, "position " + std::to_string(x.host_positions[i]) + " outside [0, keys)");
    if (i > 0 && x.host_positions[i - 1] > x.host_positions[i])
      check(false, "positions must be ascending (a block's key range is read off its first and last row); row " +
                       std::to_string(i) + " is below row " + std::to_string(i - 1));
  }
  if (x.queries == 0) return;
  check(x.q && x.positions && x.k && x.v && x.stats, "a device pointer is null");
#if defined(COPYPROOF_SASS_64_3)
  return launch_width<64>(x);
#else
  switch (x.stride) {
    case 32: return launch_width<32>(x);
    case 64: return launch_width<64>(x);
    case 96: return launch_width<96>(x);
    default: return launch_width<128>(x);
  }
#endif
}

}  // namespace copyproof::gpu
