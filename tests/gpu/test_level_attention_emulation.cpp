// The level-attention kernel's per-lane logic on the CPU, no GPU needed: every lane of every
// warp runs the kernel's own functions (level_attention_lanes.hpp), each mma.sync.m16n8k32
// is emulated lane-exactly (A and B rebuilt from all 32 lanes' registers by the PTX fragment
// formulas, C scattered back by them), the shared key tile is filled chunk by chunk as the
// kernel fills it, and the four lanes of a group merge as the shuffles do. The result must
// equal a direct per-row scan (LevelStats::add over each row's window) exactly, at lengths
// around every tile edge derived from the kernel's constants.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../tile_edges.hpp"
#include "copyproof/gpu/level_attention_lanes.hpp"

using namespace copyproof::gpu;
namespace cx = copyproof::construction;

namespace {

std::uint32_t load_u32(const std::int8_t* p) {  // the kernel's 4-byte load, little-endian
  std::uint32_t x;
  std::memcpy(&x, p, sizeof x);
  return x;
}

std::int8_t byte_of(std::uint32_t reg, int i) { return static_cast<std::int8_t>((reg >> (8 * i)) & 0xffu); }

// One warp-wide mma.sync.m16n8k32.s32.s8.s8.s32: D = A B + C, per the PTX fragment layouts.
void emulate_mma(std::array<std::array<int, kCRegisters>, kWarpSize>& c,
                 const std::array<std::array<std::uint32_t, kARegisters>, kWarpSize>& a,
                 const std::array<std::array<std::uint32_t, kBRegisters>, kWarpSize>& b) {
  int A[kMmaM][kMmaK] = {}, B[kMmaK][kMmaN] = {};
  for (int lane = 0; lane < kWarpSize; ++lane) {
    for (int i = 0; i < kARegisters * kBytesPerRegister; ++i) {
      const FragmentEntry e = a_entry(lane, i);
      A[e.row][e.col] = byte_of(a[lane][i / kBytesPerRegister], i % kBytesPerRegister);
    }
    for (int i = 0; i < kBRegisters * kBytesPerRegister; ++i) {
      const FragmentEntry e = b_entry(lane, i);
      B[e.row][e.col] = byte_of(b[lane][i / kBytesPerRegister], i % kBytesPerRegister);
    }
  }
  for (int lane = 0; lane < kWarpSize; ++lane)
    for (int i = 0; i < kCRegisters; ++i) {
      const FragmentEntry e = c_entry(lane, i);
      for (int kk = 0; kk < kMmaK; ++kk) c[lane][i] += A[e.row][kk] * B[kk][e.col];
    }
}

struct Problem {
  int key_width = 0;                 // d_k before padding
  std::vector<std::int8_t> q, k, v;  // q: padded rows x P, k: keys x P, v: keys x DV
  std::vector<long long> positions;
  long long queries = 0, keys = 0, window_lo = 0, window_hi = 0;
};

template <int DV>
bool same(const cx::LevelStats<DV>& x, const cx::LevelStats<DV>& y) {
  if (x.max_score != y.max_score) return false;
  for (int t = 0; t < cx::kLevels; ++t) {
    if (x.count[t] != y.count[t]) return false;
    for (int c = 0; c < DV; ++c)
      if (x.value_sum[t][c] != y.value_sum[t][c]) return false;
  }
  return true;
}

// The kernel, one block at a time, every lane of every warp.
template <int P, int DV>
std::vector<cx::LevelStats<DV>> emulate_kernel(const Problem& p) {
  using Shape = LevelShape<P>;
  using Lanes = std::array<LaneRows<DV>, kWarpSize>;
  std::vector<cx::LevelStats<DV>> out(static_cast<std::size_t>(p.queries));
  const long long blocks = (p.queries + kLevelRowsPerBlock - 1) / kLevelRowsPerBlock;
  std::vector<std::int8_t> tile(Shape::kTileBytes);
  for (long long block_index = 0; block_index < blocks; ++block_index) {
    const long long block_row = block_index * kLevelRowsPerBlock;
    std::vector<Lanes> rows(kLevelWarps);
    std::vector<std::array<LaneThresholds, kWarpSize>> threshold(kLevelWarps);
    std::vector<std::array<std::array<std::array<std::array<std::uint32_t, kARegisters>, kWarpSize>, Shape::kSteps>,
                           kLevelRowTiles>>
        a(kLevelWarps);
    std::array<int, kLevelWarps> live{};
    for (int warp = 0; warp < kLevelWarps; ++warp) {
      live[warp] = live_row_tiles(block_row, warp, p.queries);
      for (int lane = 0; lane < kWarpSize; ++lane) {
        for (int rt = 0; rt < kLevelRowTiles; ++rt)
          for (int s = 0; s < Shape::kSteps; ++s)
            for (int r = 0; r < kARegisters; ++r)
              a[warp][rt][s][lane][r] =
                  load_u32(p.q.data() + a_register_offset<P>(tile_row(block_row, warp, rt), lane, s, r));
        rows[warp][lane].init(threshold[warp][lane], p.positions.data(), block_row, warp, lane, p.queries, p.keys,
                              p.window_lo, p.window_hi);
      }
    }
    const KeyRange block = block_keys(p.positions.data(), block_row, p.queries, p.keys, p.window_lo, p.window_hi);
    for (long long tile_base = block.first; tile_base <= block.last; tile_base += kLevelKeyTile) {
      std::fill(tile.begin(), tile.end(), std::int8_t{99});  // stale bytes: must never be read as keys
      for (int chunk = 0; chunk < Shape::kChunks; ++chunk) {
        const TileChunk<P> c(chunk);
        std::int8_t* to = tile.data() + c.shared_offset;
        if (tile_base + c.key <= block.last)
          std::memcpy(to, p.k.data() + (tile_base + c.key) * P + c.key_offset, kLevelChunkBytes);
        else
          std::memset(to, 0, kLevelChunkBytes);
      }
      for (int warp = 0; warp < kLevelWarps; ++warp) {
        if (live[warp] == 0) continue;
        const int subs = live_sub_tiles(tile_base, block.last);
        for (int sub = 0; sub < subs; ++sub) {
          std::array<std::array<std::array<std::uint32_t, kBRegisters>, kWarpSize>, Shape::kSteps> b{};
          for (int lane = 0; lane < kWarpSize; ++lane)
            for (int s = 0; s < Shape::kSteps; ++s)
              for (int r = 0; r < kBRegisters; ++r)
                b[s][lane][r] =
                    load_u32(tile.data() + b_register_offset<P>(0, lane, 0, 0) + b_register_step<P>(sub, s, r));
          std::array<std::array<std::array<int, kCRegisters>, kWarpSize>, kLevelRowTiles> c{};
          for (int rt = 0; rt < kLevelRowTiles; ++rt)
            for (int s = 0; s < Shape::kSteps; ++s) emulate_mma(c[rt], a[warp][rt][s], b[s]);
          for (int lane = 0; lane < kWarpSize; ++lane) {
            int mine[kLevelRowTiles][kCRegisters];
            for (int rt = 0; rt < kLevelRowTiles; ++rt)
              for (int i = 0; i < kCRegisters; ++i) mine[rt][i] = c[rt][lane][i];
            if (any_relevant(threshold[warp][lane], mine))
              rows[warp][lane].offer(threshold[warp][lane], mine, tile_base + sub * kMmaN, lane, p.v.data());
          }
        }
      }
    }
    for (int warp = 0; warp < kLevelWarps; ++warp)
      for (int rt = 0; rt < kLevelRowTiles; ++rt)
        for (int half = 0; half < 2; ++half) {
          std::array<cx::LevelStats<DV>, kWarpSize> s;
          for (int lane = 0; lane < kWarpSize; ++lane) s[lane] = rows[warp][lane].stats[rt][half];
          for (int step = 0; step < kMergeSteps; ++step) {
            const auto before = s;  // a shuffle reads every lane's value before any lane writes
            for (int lane = 0; lane < kWarpSize; ++lane) s[lane].merge(before[lane ^ merge_mask(step)], DV);
          }
          for (int lane = 0; lane < kWarpSize; ++lane) {
            const long long row = LaneRows<DV>::row_of(block_row, warp, lane, rt, half);
            if (writes_rows(lane) && row < p.queries) out[static_cast<std::size_t>(row)] = s[lane];
          }
        }
  }
  return out;
}

// The direct scan: every row adds every key of its window, in order.
template <int P, int DV>
std::vector<cx::LevelStats<DV>> scan_rows(const Problem& p) {
  std::vector<cx::LevelStats<DV>> out(static_cast<std::size_t>(p.queries));
  for (long long r = 0; r < p.queries; ++r) {
    const long long first = std::max(0LL, p.positions[r] - p.window_hi);
    const long long last = std::min(p.keys - 1, p.positions[r] - p.window_lo);
    for (long long j = first; j <= last; ++j) {
      int score = 0;
      for (int c = 0; c < P; ++c) score += p.q[r * P + c] * p.k[j * P + c];
      out[static_cast<std::size_t>(r)].add(score, p.v.data() + j * DV, DV);
    }
  }
  return out;
}

enum class Positions { copy_tail, sorted_random };

// Entries in {-1, 0, 1} over key_width columns (zero padding after): scores spread over
// [-key_width, key_width], so the levels, the thresholds and the rare path all get work.
template <int P, int DV>
Problem make_problem(long long queries, long long keys, int key_width, Positions kind, long long lo, long long hi,
                     std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> code(-1, 1);
  Problem p;
  p.key_width = key_width;
  p.queries = queries;
  p.keys = keys;
  p.window_lo = lo;
  p.window_hi = hi;
  const long long padded = (queries + kLevelRowsPerBlock - 1) / kLevelRowsPerBlock * kLevelRowsPerBlock;
  p.q.assign(static_cast<std::size_t>(padded * P), 0);  // padding rows zero, as the backend leaves them
  p.k.assign(static_cast<std::size_t>(keys * P), 0);
  p.v.assign(static_cast<std::size_t>(keys * DV), 0);
  for (long long r = 0; r < queries; ++r)
    for (int c = 0; c < key_width; ++c) p.q[r * P + c] = static_cast<std::int8_t>(code(rng));
  for (long long j = 0; j < keys; ++j) {
    for (int c = 0; c < key_width; ++c) p.k[j * P + c] = static_cast<std::int8_t>(code(rng));
    for (int c = 0; c < DV; ++c) p.v[j * DV + c] = static_cast<std::int8_t>(code(rng));
  }
  p.positions.resize(static_cast<std::size_t>(queries));
  if (kind == Positions::copy_tail) {
    for (long long r = 0; r < queries; ++r) p.positions[r] = std::max(0LL, keys - queries) + std::min(r, keys - 1);
  } else {
    std::uniform_int_distribution<long long> any(0, keys - 1);
    for (auto& x : p.positions) x = any(rng);
    std::sort(p.positions.begin(), p.positions.end());
  }
  return p;
}

// Every length within one of a tile edge (and the edges' small multiples), from the kernel's constants.
// The shared helper (tests/tile_edges.hpp), as the long long lengths this file uses.
std::vector<long long> around(std::initializer_list<std::int64_t> edges) {
  const std::vector<std::int64_t> lengths = copyproof::testing::around(edges);
  return {lengths.begin(), lengths.end()};
}

template <int P, int DV>
void check_all(int key_width, const std::vector<long long>& query_lengths, const std::vector<long long>& key_lengths) {
  struct Window {
    long long lo, hi;
  };
  // Strictly causal and unbounded (layer 2 of the copy transformer); a short band, so that
  // rows of one block see different keys and masked keys reach the rare path; a band that
  // leaves the first rows empty.
  const Window windows[] = {{1, 1LL << 40}, {0, 20}, {5, 9}};
  std::uint64_t seed = 1;
  for (long long queries : query_lengths)
    for (long long keys : key_lengths)
      for (Positions kind : {Positions::copy_tail, Positions::sorted_random})
        for (const Window w : windows) {
          const Problem p = make_problem<P, DV>(queries, keys, key_width, kind, w.lo, w.hi, seed++);
          const auto kernel = emulate_kernel<P, DV>(p);
          const auto scan = scan_rows<P, DV>(p);
          long long wrong = 0, first_wrong = -1;
          for (long long r = 0; r < queries; ++r)
            if (!same(kernel[static_cast<std::size_t>(r)], scan[static_cast<std::size_t>(r)])) {
              if (first_wrong < 0) first_wrong = r;
              ++wrong;
            }
          INFO("P = " << P << ", DV = " << DV << ", queries = " << queries << ", keys = " << keys << ", positions "
                      << std::string(kind == Positions::copy_tail ? "copy tail" : "sorted random") << ", window ["
                      << w.lo << ", " << w.hi << "]: first wrong row " << first_wrong);
          CHECK(wrong == 0);
        }
}

}  // namespace

TEST_CASE("the PTX fragment maps cover each entry of A, B and C exactly once") {
  std::set<std::pair<int, int>> a, b, c;
  for (int lane = 0; lane < kWarpSize; ++lane) {
    for (int i = 0; i < kARegisters * kBytesPerRegister; ++i) a.insert({a_entry(lane, i).row, a_entry(lane, i).col});
    for (int i = 0; i < kBRegisters * kBytesPerRegister; ++i) b.insert({b_entry(lane, i).row, b_entry(lane, i).col});
    for (int i = 0; i < kCRegisters; ++i) c.insert({c_entry(lane, i).row, c_entry(lane, i).col});
  }
  CHECK(a.size() == static_cast<std::size_t>(kMmaM * kMmaK));
  CHECK(b.size() == static_cast<std::size_t>(kMmaK * kMmaN));
  CHECK(c.size() == static_cast<std::size_t>(kMmaM * kMmaN));
  for (const auto& [row, col] : a) CHECK((row >= 0 && row < kMmaM && col >= 0 && col < kMmaK));
  for (const auto& [row, col] : b) CHECK((row >= 0 && row < kMmaK && col >= 0 && col < kMmaN));
  for (const auto& [row, col] : c) CHECK((row >= 0 && row < kMmaM && col >= 0 && col < kMmaN));
}

TEST_CASE("the B-fragment offsets split into a lane part and a common step, as the kernel hoists them") {
  for (int sub = 0; sub < kLevelSubTiles; ++sub)
    for (int s = 0; s < LevelShape<96>::kSteps; ++s)
      for (int r = 0; r < kBRegisters; ++r)
        for (int lane = 0; lane < kWarpSize; ++lane)
          CHECK(b_register_offset<96>(sub, lane, s, r) ==
                b_register_offset<96>(0, lane, 0, 0) + b_register_step<96>(sub, s, r));
}

TEST_CASE("the B-fragment loads of a warp hit 32 distinct shared-memory banks") {
  // Bank = (byte offset / 4) mod 32; the padding of each key row is what makes them distinct.
  for (int s = 0; s < LevelShape<128>::kSteps; ++s)
    for (int r = 0; r < kBRegisters; ++r) {
      std::set<int> banks;
      for (int lane = 0; lane < kWarpSize; ++lane) banks.insert((b_register_offset<128>(0, lane, s, r) / 4) % 32);
      CHECK(banks.size() == static_cast<std::size_t>(kWarpSize));
    }
}

TEST_CASE("emulated kernel = direct per-row scan at every tile edge (P = 32, d_v = 1)") {
  // Query lengths around half a row tile (rows g, g + 8), a row tile, a warp's rows, a block
  // and two blocks; key lengths around a sub-tile and one and two key tiles.
  const auto queries = around({kMmaM / 2, kMmaM, kLevelRowsPerWarp, kLevelRowsPerBlock, 2 * kLevelRowsPerBlock});
  const auto keys = around({kMmaN, kLevelKeyTile, 2 * kLevelKeyTile});
  check_all<32, 1>(25, queries, keys);
}

TEST_CASE(
    "emulated kernel = direct per-row scan, the B(4,12) shape (P = 64, d_v = 3) and the widest (P = 128, d_v = 8)") {
  check_all<64, 3>(37, around({kMmaM, kLevelRowsPerBlock}), around({kLevelKeyTile}));
  check_all<128, 8>(127, around({kLevelRowsPerWarp, kLevelRowsPerBlock}), around({kMmaN, kLevelKeyTile}));
}
