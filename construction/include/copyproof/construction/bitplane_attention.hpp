#pragma once
// The fast exact layer 2 on the CPU: integer scores from bit planes.
//
// The copy transformer's layer-2 query / lambda and key are codes in {-1, 0, +1} (one
// column, the BOS penalty -B, aside). Packed as two bit planes, `nonzero` and `sign`, the
// dot product of two such codes is
//     <q, k> = popcount(nq & nk) - 2 popcount(nq & nk & (sq ^ sk)),
// so 16 keys score in a handful of AVX-512 instructions (VPOPCNTD), exactly. Keys with an
// entry outside {-1, 0, +1} (BOS) are "special": scored exactly from their integers. Each
// query row keeps LevelStats (level_softmax.hpp, the one definition shared with the GPU)
// over a key tile, merged into its running stats tile after tile. Work is split over
// blocks of query rows (OpenMP); memory is O(queries + keys), a few bytes each.
//
// bench/bench_attention.cpp measured this against an int8 VNNI (vpdpbusd) kernel on
// verify's shapes; popcount was the faster (docs/performance.md), so it is the one kept.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "copyproof/construction/integer_attention.hpp"
#include "copyproof/construction/transformer.hpp"

namespace copyproof::construction {

// Keys are scored in groups of this many (one 512-bit vector of 32-bit plane words).
inline constexpr std::int64_t kBitPlaneLanes = 16;
// Keys per tile (a multiple of kBitPlaneLanes; a tile's planes stay in the L1/L2 cache).
inline constexpr std::int64_t kBitPlaneKeyTile = 2048;
// Query rows per block (the unit of work a thread takes).
inline constexpr std::int64_t kBitPlaneQueryBlock = 64;

// Query and key integers of one head as bit planes: bit c % 32 of word c / 32 is column c.
class BitPlaneHead {
 public:
  BitPlaneHead() = default;
  // An empty head for codes of key_width columns and values of value_width.
  BitPlaneHead(int key_width, int value_width, double unit);
  // Packs every query and key of `inputs`.
  explicit BitPlaneHead(const IntegerHeadInputs& inputs);

  // Appends `chunk`'s queries after the ones held and its keys after the ones held (a
  // forward computed in chunks of positions). Throws std::invalid_argument when a query
  // entry is outside {-1, 0, +1}: those cannot be packed.
  void append(const IntegerHeadInputs& chunk);

  int key_width() const { return key_width_; }
  int words() const { return words_; }
  int value_width() const { return value_width_; }
  double unit() const { return unit_; }
  std::int64_t queries() const { return queries_; }
  std::int64_t keys() const { return keys_; }

  // Exact integer score of query row r against key j.
  std::int32_t score(std::int64_t r, std::int64_t j) const;
  const std::int8_t* value(std::int64_t j) const {
    return values_.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(value_width_);
  }

  // Rounding bookkeeping, merged over every appended chunk (as IntegerHeadInputs).
  double query_residual = 0, key_residual = 0, value_residual = 0;
  int query_bound = 0, key_bound = 0, value_bound = 0;
  double score_rounding_bound() const;

  // Layout, for the kernels. Query planes: (queries, words) row-major. Key planes: in
  // groups of 16 keys, word-major inside a group: [j / 16][w][j % 16].
  const std::uint32_t* query_nonzero(std::int64_t r) const { return &query_nonzero_[plane_index(r)]; }
  const std::uint32_t* query_sign(std::int64_t r) const { return &query_sign_[plane_index(r)]; }
  const std::uint32_t* key_nonzero_group(std::int64_t group) const { return &key_nonzero_[group_index(group)]; }
  const std::uint32_t* key_sign_group(std::int64_t group) const { return &key_sign_[group_index(group)]; }
  // Lanes of a key group that are special (their planes are 0), as a 16-bit mask.
  std::uint16_t special_lanes(std::int64_t group) const { return special_lanes_[static_cast<std::size_t>(group)]; }
  // The common key mask K: the nonzero plane of the first non-special key (the copy
  // transformer's keys are all nonzero but for the BOS column). full_lanes: lanes whose
  // nonzero plane is exactly K. For those, and a query nonzero wherever K is,
  //   <q, k> = popcount(K) - 2 popcount((sq & K) ^ sk),
  // one popcount a word (the common case; sign bits lie inside the nonzero plane).
  std::uint16_t full_lanes(std::int64_t group) const { return full_lanes_[static_cast<std::size_t>(group)]; }
  const std::uint32_t* common_mask() const { return common_mask_.data(); }
  bool has_common_mask() const { return !common_mask_.empty(); }
  const std::vector<std::int64_t>& special_keys() const { return special_keys_; }

 private:
  std::size_t plane_index(std::int64_t r) const {
    return static_cast<std::size_t>(r) * static_cast<std::size_t>(words_);
  }
  std::size_t group_index(std::int64_t g) const {
    return static_cast<std::size_t>(g) * static_cast<std::size_t>(words_) * kBitPlaneLanes;
  }
  int key_width_ = 0, words_ = 0, value_width_ = 0;
  double unit_ = 0;
  std::int64_t queries_ = 0, keys_ = 0;
  std::vector<std::uint32_t> query_nonzero_, query_sign_, key_nonzero_, key_sign_;
  std::vector<std::int8_t> values_;
  std::vector<std::uint16_t> special_lanes_, full_lanes_;
  std::vector<std::uint32_t> common_mask_;     // (words), empty until a non-special key is seen
  std::vector<std::int64_t> special_keys_;     // ascending
  std::vector<std::int32_t> special_entries_;  // (special keys, key_width): their exact integers
};

// Which inner loop scores the keys. avx512: VPOPCNTD on 16 keys at once (compiled only where
// the target has AVX-512F and VPOPCNTDQ); portable: std::popcount, one key at a time (any
// CPU); automatic: avx512 where compiled, else portable.
enum class PopcountKernel { automatic, portable, avx512 };
bool avx512_popcount_compiled();
PopcountKernel resolve(PopcountKernel kernel);  // automatic -> what runs; throws if avx512 is not compiled
const char* to_string(PopcountKernel kernel);

// Consumes the level statistics of rows [first_row, first_row + stats.size()); called from
// worker threads, once per block, in no particular order.
using LevelBlockConsumer = std::function<void(std::int64_t first_row, std::span<const HostLevelStats> stats)>;
// Called on the calling thread now and then with the query-key pairs scored so far.
using PairProgress = std::function<void(std::int64_t pairs_done)>;

// Level statistics of every query row (at `positions`, ascending) over its allowed keys.
void bitplane_attention_blocks(const BitPlaneHead& head, std::span<const std::int64_t> positions,
                               const RelativeWindow& window, int threads, PopcountKernel kernel,
                               const LevelBlockConsumer& consume, const PairProgress& progress = {});

// The same, collected for every row (tests; O(rows) LevelStats).
std::vector<HostLevelStats> bitplane_attention_levels(const BitPlaneHead& head, std::span<const std::int64_t> positions,
                                                      const RelativeWindow& window, int threads,
                                                      PopcountKernel kernel = PopcountKernel::automatic);

}  // namespace copyproof::construction
