#pragma once
// The level-attention kernel's per-lane logic, host and device: block and tile shapes,
// which keys a block and a row may see, where each lane's mma registers come from, and
// the row state (the fast path: one comparison per score against a threshold in a
// register; the window check and the level update only on the rare path).
//
// gpu/src/level_attention.cu runs these functions one warp at a time on the device; the
// CPU test tests/gpu/test_level_attention_emulation.cpp runs the same functions for all 32
// lanes of every warp in plain C++, with each mma.sync emulated from the PTX formulas
// (mma_fragments.hpp), against a direct per-row scan. CPU twin of the whole kernel:
// construction::integer_attention_levels (integer_attention.hpp), a row at a time.

#include <climits>
#include <cstdint>

#include "copyproof/construction/level_softmax.hpp"
#include "copyproof/construction/window_keys.hpp"
#include "copyproof/gpu/mma_fragments.hpp"

namespace copyproof::gpu {

inline constexpr int kLevelWarps = 8;                                       // warps of a block
inline constexpr int kLevelRowTiles = 2;                                    // row tiles of 16 queries a warp owns
inline constexpr int kLevelRowsPerWarp = kLevelRowTiles * kMmaM;            // 32
inline constexpr int kLevelRowsPerBlock = kLevelWarps * kLevelRowsPerWarp;  // 256 queries share a key tile
inline constexpr int kLevelKeyTile = 128;                                   // keys in shared memory at a time
inline constexpr int kLevelSubTiles = kLevelKeyTile / kMmaN;                // mma column blocks of a key tile
inline constexpr int kLevelBankPadding = 16;  // bytes after each key row: a warp's B loads hit 32 banks
inline constexpr int kLevelChunkBytes = 16;   // one int4 copy into shared memory
inline constexpr int kLevelMaxStride = 128;   // padded d_k the kernel is instantiated for
inline constexpr int kLevelMaxValueWidth = 8;
// A row that must never take the rare path (padding row, empty window): no score reaches it,
// since |score| <= 127 * 127 * kLevelMaxStride < INT_MAX.
inline constexpr int kNeverRelevant = INT_MAX;

// Shapes for keys padded to P int8 entries (P a multiple of kMmaK).
template <int P>
struct LevelShape {
  static_assert(P % kMmaK == 0 && P > 0 && P <= kLevelMaxStride, "P: d_k padded to a multiple of 32, <= 128");
  static constexpr int kSteps = P / kMmaK;               // mma per (row tile, sub-tile)
  static constexpr int kStride = P + kLevelBankPadding;  // bytes per key row in shared memory
  static constexpr int kChunksPerKey = P / kLevelChunkBytes;
  static constexpr int kChunks = kLevelKeyTile * kChunksPerKey;
  static constexpr int kTileBytes = kLevelKeyTile * kStride;
};

struct KeyRange {
  long long first = 0, last = -1;  // inclusive; empty when first > last
  COPYPROOF_HOST_DEVICE bool empty() const { return first > last; }
};

COPYPROOF_HOST_DEVICE inline long long max_ll(long long a, long long b) { return a > b ? a : b; }
COPYPROOF_HOST_DEVICE inline long long min_ll(long long a, long long b) { return a < b ? a : b; }

// Keys a query at `position` attends to: position - hi <= j <= position - lo, clipped to
// [0, keys) (the one window rule, window_keys.hpp).
COPYPROOF_HOST_DEVICE inline KeyRange row_keys(long long position, long long keys, long long window_lo,
                                               long long window_hi) {
  return {construction::first_key_in_window(position, window_hi),
          construction::last_key_in_window(position, window_lo, keys)};
}

// Keys any real row of the block starting at `block_row` may see. Positions ascending
// (the launcher checks), so the first and the last real row bound the block's range.
COPYPROOF_HOST_DEVICE inline KeyRange block_keys(const long long* positions, long long block_row, long long queries,
                                                 long long keys, long long window_lo, long long window_hi) {
  const long long last_row = min_ll(block_row + kLevelRowsPerBlock, queries) - 1;
  return {row_keys(positions[block_row], keys, window_lo, window_hi).first,
          row_keys(positions[last_row], keys, window_lo, window_hi).last};
}

// First query row of a warp's row tile.
COPYPROOF_HOST_DEVICE constexpr long long tile_row(long long block_row, int warp, int row_tile) {
  return block_row + static_cast<long long>(warp * kLevelRowTiles + row_tile) * kMmaM;
}

// Row tiles of a warp holding at least one real query (the rest are padding: no mma).
COPYPROOF_HOST_DEVICE inline int live_row_tiles(long long block_row, int warp, long long queries) {
  int live = 0;
  COPYPROOF_UNROLL
  for (int rt = 0; rt < kLevelRowTiles; ++rt) live += tile_row(block_row, warp, rt) < queries ? 1 : 0;
  return live;
}

// Sub-tiles of 8 keys of the tile at `tile_base` that hold keys <= last (the rest are skipped).
COPYPROOF_HOST_DEVICE inline int live_sub_tiles(long long tile_base, long long last) {
  const long long keys_left = last - tile_base + 1;
  const long long subs = (keys_left + kMmaN - 1) / kMmaN;
  return subs < kLevelSubTiles ? static_cast<int>(subs) : kLevelSubTiles;
}

// Byte offset in q (rows of P bytes) of A register `reg` of `lane` for k-step `step`.
template <int P>
COPYPROOF_HOST_DEVICE constexpr long long a_register_offset(long long first_row, int lane, int step, int reg) {
  const FragmentEntry e = a_entry(lane, reg * kBytesPerRegister);
  return (first_row + e.row) * P + step * kMmaK + e.col;
}

// Byte offset in the shared key tile of B register `reg` of `lane`, sub-tile `sub`, k-step `step`.
template <int P>
COPYPROOF_HOST_DEVICE constexpr int b_register_offset(int sub, int lane, int step, int reg) {
  const FragmentEntry e = b_entry(lane, reg * kBytesPerRegister);
  return (sub * kMmaN + e.col) * LevelShape<P>::kStride + step * kMmaK + e.row;
}

// The same offset split into the lane's part, b_register_offset<P>(0, lane, 0, 0), computed
// once, and the part common to all lanes (the emulation test checks the split).
template <int P>
COPYPROOF_HOST_DEVICE constexpr int b_register_step(int sub, int step, int reg) {
  return sub * kMmaN * LevelShape<P>::kStride + step * kMmaK + reg * 16;
}

// Chunk `chunk` of a key tile: which key of the tile, and the byte offsets it copies.
template <int P>
struct TileChunk {
  int key;            // within the tile
  int shared_offset;  // into the shared tile
  int key_offset;     // into the key's row of P bytes
  COPYPROOF_HOST_DEVICE explicit TileChunk(int chunk)
      : key(chunk / LevelShape<P>::kChunksPerKey),
        shared_offset(key * LevelShape<P>::kStride + (chunk % LevelShape<P>::kChunksPerKey) * kLevelChunkBytes),
        key_offset((chunk % LevelShape<P>::kChunksPerKey) * kLevelChunkBytes) {}
};

// The 2 * kLevelRowTiles query rows one lane sees (rows g and g + 8 of each row tile).
// Thresholds: what the fast path reads, kept apart from the rest so that the compiler can
// hold them in registers (the level statistics are indexed by level at run time and live
// in local memory, touched only on the rare path). A score can reach a kept level only if
// it is >= its row's threshold (LevelStats::relevant, with max - kLevels + 1).
using LaneThresholds = int[kLevelRowTiles][2];

template <int DV>
struct LaneRows {
  KeyRange window[kLevelRowTiles][2];
  construction::LevelStats<DV> stats[kLevelRowTiles][2];

  COPYPROOF_HOST_DEVICE static long long row_of(long long block_row, int warp, int lane, int rt, int half) {
    return tile_row(block_row, warp, rt) + group_of(lane) + 8 * half;
  }

  COPYPROOF_HOST_DEVICE void init(LaneThresholds& threshold, const long long* positions, long long block_row, int warp,
                                  int lane, long long queries, long long keys, long long window_lo,
                                  long long window_hi) {
    COPYPROOF_UNROLL
    for (int rt = 0; rt < kLevelRowTiles; ++rt) COPYPROOF_UNROLL
    for (int half = 0; half < 2; ++half) {
      const long long row = row_of(block_row, warp, lane, rt, half);
      stats[rt][half] = construction::LevelStats<DV>{};
      window[rt][half] = row < queries ? row_keys(positions[row], keys, window_lo, window_hi) : KeyRange{};
      threshold[rt][half] = window[rt][half].empty() ? kNeverRelevant : INT_MIN;  // padding rows are empty
    }
  }

  // The rare path: adds the relevant scores that lie in their row's window.
  // `sub_base`: the first key of the sub-tile; v: int8 values, DV per key.
  COPYPROOF_HOST_DEVICE void offer(LaneThresholds& threshold, const int (&c)[kLevelRowTiles][kCRegisters],
                                   long long sub_base, int lane, const std::int8_t* v) {
    COPYPROOF_UNROLL
    for (int rt = 0; rt < kLevelRowTiles; ++rt) COPYPROOF_UNROLL
    for (int i = 0; i < kCRegisters; ++i) {
      const int half = i >> 1;
      if (c[rt][i] < threshold[rt][half]) continue;
      const long long key = sub_base + c_entry(lane, i).col;
      if (key < window[rt][half].first || key > window[rt][half].last) continue;
      construction::LevelStats<DV>& s = stats[rt][half];
      s.add(c[rt][i], v + key * DV, DV);
      threshold[rt][half] = s.max_score - construction::kLevels + 1;
    }
  }
};

// The fast path: whether any of the lane's scores of one sub-tile can land in a kept level.
COPYPROOF_HOST_DEVICE inline bool any_relevant(const LaneThresholds& threshold,
                                               const int (&c)[kLevelRowTiles][kCRegisters]) {
  bool hit = false;
  COPYPROOF_UNROLL
  for (int rt = 0; rt < kLevelRowTiles; ++rt) COPYPROOF_UNROLL
  for (int i = 0; i < kCRegisters; ++i) hit |= c[rt][i] >= threshold[rt][i >> 1];
  return hit;
}

// After the key loop the four lanes of a group hold disjoint keys of the same rows: lane
// merges with lane ^ 1, then lane ^ 2 (shuffle_xor on the device). The lane with
// thread_in_group == 0 writes each real row.
inline constexpr int kMergeSteps = 2;
COPYPROOF_HOST_DEVICE constexpr int merge_mask(int step) { return 1 << step; }
COPYPROOF_HOST_DEVICE constexpr bool writes_rows(int lane) { return thread_in_group(lane) == 0; }

}  // namespace copyproof::gpu
