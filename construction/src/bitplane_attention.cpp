#include "copyproof/construction/bitplane_attention.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
#include <immintrin.h>
#define COPYPROOF_AVX512_POPCOUNT 1
#endif

namespace copyproof::construction {

namespace {

constexpr int kWordBits = 32;

std::int32_t entry(const IntegerHeadInputs& in, const std::vector<std::int8_t>& int8s, std::int64_t row, int column,
                   std::vector<IntegerHeadInputs::WideEntry>::const_iterator wide,
                   std::vector<IntegerHeadInputs::WideEntry>::const_iterator wide_end) {
  for (auto e = wide; e != wide_end; ++e)
    if (e->column == column) return e->value;
  return int8s[static_cast<std::size_t>(row) * static_cast<std::size_t>(in.padded_key_width) +
               static_cast<std::size_t>(column)];
}

}  // namespace

BitPlaneHead::BitPlaneHead(int key_width, int value_width, double unit)
    : key_width_(key_width), words_((key_width + kWordBits - 1) / kWordBits), value_width_(value_width), unit_(unit) {
  if (key_width < 1 || value_width < 1 || value_width > kMaxLevelValueWidth)
    throw std::invalid_argument("bit planes: key width must be >= 1 and value width in [1, 17]");
}

BitPlaneHead::BitPlaneHead(const IntegerHeadInputs& inputs)
    : BitPlaneHead(inputs.key_width, inputs.value_width, inputs.unit) {
  append(inputs);
}

double BitPlaneHead::score_rounding_bound() const {
  IntegerHeadInputs in;  // one formula (IntegerHeadInputs::score_rounding_bound)
  in.unit = unit_;
  in.key_width = key_width_;
  in.query_bound = query_bound;
  in.key_bound = key_bound;
  in.query_residual = query_residual;
  in.key_residual = key_residual;
  return in.score_rounding_bound();
}

void BitPlaneHead::append(const IntegerHeadInputs& in) {
  if (in.key_width != key_width_ || in.value_width != value_width_ || in.unit != unit_)
    throw std::invalid_argument("bit planes: appended inputs of another shape");
  const auto w = static_cast<std::size_t>(words_);
  const auto new_queries = static_cast<std::int64_t>(in.queries.size() / static_cast<std::size_t>(in.padded_key_width));
  const auto new_keys = static_cast<std::int64_t>(in.keys.size() / static_cast<std::size_t>(in.padded_key_width));

  query_nonzero_.resize(static_cast<std::size_t>(queries_ + new_queries) * w, 0);
  query_sign_.resize(query_nonzero_.size(), 0);
  auto wide_q = in.wide_queries.cbegin();
  for (std::int64_t r = 0; r < new_queries; ++r) {
    auto wide_end = wide_q;
    while (wide_end != in.wide_queries.cend() && wide_end->row == r) ++wide_end;
    for (int c = 0; c < key_width_; ++c) {
      const std::int32_t v = entry(in, in.queries, r, c, wide_q, wide_end);
      if (v < -1 || v > 1)
        throw std::invalid_argument("bit planes: a query entry " + std::to_string(v) + " is outside {-1, 0, 1}");
      const std::size_t at = plane_index(queries_ + r) + static_cast<std::size_t>(c / kWordBits);
      const std::uint32_t bit = std::uint32_t{1} << (c % kWordBits);
      if (v != 0) query_nonzero_[at] |= bit;
      if (v < 0) query_sign_[at] |= bit;
    }
    wide_q = wide_end;
  }

  const std::int64_t total = keys_ + new_keys;
  const auto groups = static_cast<std::size_t>((total + kBitPlaneLanes - 1) / kBitPlaneLanes);
  key_nonzero_.resize(groups * w * kBitPlaneLanes, 0);
  key_sign_.resize(key_nonzero_.size(), 0);
  special_lanes_.resize(groups, 0);
  full_lanes_.resize(groups, 0);
  values_.resize(static_cast<std::size_t>(total) * static_cast<std::size_t>(value_width_));
  std::vector<std::int32_t> row(static_cast<std::size_t>(key_width_));
  auto wide_k = in.wide_keys.cbegin();
  for (std::int64_t i = 0; i < new_keys; ++i) {
    auto wide_end = wide_k;
    while (wide_end != in.wide_keys.cend() && wide_end->row == i) ++wide_end;
    bool special = false;
    for (int c = 0; c < key_width_; ++c) {
      row[static_cast<std::size_t>(c)] = entry(in, in.keys, i, c, wide_k, wide_end);
      special = special || row[static_cast<std::size_t>(c)] < -1 || row[static_cast<std::size_t>(c)] > 1;
    }
    wide_k = wide_end;
    const std::int64_t j = keys_ + i;
    const std::int64_t group = j / kBitPlaneLanes, lane = j % kBitPlaneLanes;
    if (special) {
      special_lanes_[static_cast<std::size_t>(group)] |= static_cast<std::uint16_t>(1u << lane);
      special_keys_.push_back(j);
      special_entries_.insert(special_entries_.end(), row.begin(), row.end());
    } else {
      std::vector<std::uint32_t> nonzero(w, 0);
      for (int c = 0; c < key_width_; ++c)
        if (row[static_cast<std::size_t>(c)] != 0)
          nonzero[static_cast<std::size_t>(c / kWordBits)] |= std::uint32_t{1} << (c % kWordBits);
      if (common_mask_.empty()) common_mask_ = nonzero;
      if (nonzero == common_mask_)
        full_lanes_[static_cast<std::size_t>(group)] |= static_cast<std::uint16_t>(1u << lane);
      for (int c = 0; c < key_width_; ++c) {
        const std::size_t at = group_index(group) + static_cast<std::size_t>(c / kWordBits) * kBitPlaneLanes +
                               static_cast<std::size_t>(lane);
        const std::uint32_t bit = std::uint32_t{1} << (c % kWordBits);
        if (row[static_cast<std::size_t>(c)] != 0) key_nonzero_[at] |= bit;
        if (row[static_cast<std::size_t>(c)] < 0) key_sign_[at] |= bit;
      }
    }
    for (int c = 0; c < value_width_; ++c)
      values_[static_cast<std::size_t>(j) * static_cast<std::size_t>(value_width_) + static_cast<std::size_t>(c)] =
          in.values[static_cast<std::size_t>(i) * static_cast<std::size_t>(in.value_width) +
                    static_cast<std::size_t>(c)];
  }
  queries_ += new_queries;
  keys_ = total;
  query_residual = std::max(query_residual, in.query_residual);
  key_residual = std::max(key_residual, in.key_residual);
  value_residual = std::max(value_residual, in.value_residual);
  query_bound = std::max(query_bound, in.query_bound);
  key_bound = std::max(key_bound, in.key_bound);
  value_bound = std::max(value_bound, in.value_bound);
}

std::int32_t BitPlaneHead::score(std::int64_t r, std::int64_t j) const {
  const std::uint32_t* qn = query_nonzero(r);
  const std::uint32_t* qs = query_sign(r);
  const std::int64_t group = j / kBitPlaneLanes, lane = j % kBitPlaneLanes;
  if (special_lanes(group) >> lane & 1u) {
    const auto at = static_cast<std::size_t>(std::lower_bound(special_keys_.begin(), special_keys_.end(), j) -
                                             special_keys_.begin());
    const std::int32_t* k = special_entries_.data() + at * static_cast<std::size_t>(key_width_);
    std::int32_t dot = 0;
    for (int c = 0; c < key_width_; ++c) {
      const std::uint32_t bit = std::uint32_t{1} << (c % kWordBits);
      const int w = c / kWordBits;
      const std::int32_t q = (qn[w] & bit) ? ((qs[w] & bit) ? -1 : 1) : 0;
      dot += q * k[c];
    }
    return dot;
  }
  const std::uint32_t* kn = key_nonzero_group(group);
  const std::uint32_t* ks = key_sign_group(group);
  std::int32_t dot = 0;
  for (int w = 0; w < words_; ++w) {
    const std::uint32_t both = qn[w] & kn[w * kBitPlaneLanes + lane];
    dot += std::popcount(both) - 2 * std::popcount(both & (qs[w] ^ ks[w * kBitPlaneLanes + lane]));
  }
  return dot;
}

bool avx512_popcount_compiled() {
#ifdef COPYPROOF_AVX512_POPCOUNT
  return true;
#else
  return false;
#endif
}

PopcountKernel resolve(PopcountKernel kernel) {
  if (kernel == PopcountKernel::automatic)
    return avx512_popcount_compiled() ? PopcountKernel::avx512 : PopcountKernel::portable;
  if (kernel == PopcountKernel::avx512 && !avx512_popcount_compiled())
    throw std::invalid_argument("bit planes: the AVX-512 popcount kernel is not compiled for this target");
  return kernel;
}

const char* to_string(PopcountKernel kernel) {
  switch (kernel) {
    case PopcountKernel::automatic: return "automatic";
    case PopcountKernel::portable: return "portable";
    case PopcountKernel::avx512: return "avx512";
  }
  return "?";
}

namespace {

// One row against keys [first, end) of one tile: keys that can land in a kept level of the
// row's merged stats (score > floor, the running stats' keep_threshold) go into `tile`.
struct RowSweep {
  const BitPlaneHead& head;
  std::int64_t row;
  std::int32_t floor;
  HostLevelStats& tile;

  void offer(std::int32_t score, std::int64_t key) const {
    if (score > floor && tile.relevant(score)) tile.add(score, head.value(key), head.value_width());
  }

  void portable(std::int64_t first, std::int64_t end) const {
    const int words = head.words();
    const std::uint32_t* qn = head.query_nonzero(row);
    const std::uint32_t* qs = head.query_sign(row);
    for (std::int64_t j = first; j < end; ++j) {
      const std::int64_t group = j / kBitPlaneLanes, lane = j % kBitPlaneLanes;
      if (head.special_lanes(group) >> lane & 1u) continue;  // scored by specials()
      const std::uint32_t* kn = head.key_nonzero_group(group) + lane;
      const std::uint32_t* ks = head.key_sign_group(group) + lane;
      std::int32_t score = 0;
      for (int w = 0; w < words; ++w) {
        const std::uint32_t both = qn[w] & kn[w * kBitPlaneLanes];
        score += std::popcount(both) - 2 * std::popcount(both & (qs[w] ^ ks[w * kBitPlaneLanes]));
      }
      offer(score, j);
    }
  }

#ifdef COPYPROOF_AVX512_POPCOUNT
  // Groups [g0, g1), every lane live with nonzero plane K, the query nonzero on K:
  // <q, k> = popcount(K) - 2 d with d = popcount((sq & K) ^ sk), and
  // score > threshold  <=>  d <= (popcount(K) - threshold - 1) / 2.
  template <int Words>
  void full_run(std::int64_t g0, std::int64_t g1, int words) const {
    const int w_count = Words > 0 ? Words : words;
    const std::uint32_t* qs = head.query_sign(row);
    const std::uint32_t* mask = head.common_mask();
    std::int64_t width = 0;  // popcount(K)
    __m512i qs_v[4];
    for (int w = 0; w < w_count; ++w) {
      qs_v[w] = _mm512_set1_epi32(static_cast<int>(qs[w] & mask[w]));
      width += std::popcount(mask[w]);
    }
    auto most_differ = [&] {
      const std::int64_t threshold = std::max(floor, tile.keep_threshold());
      const std::int64_t room = width - threshold - 1;  // threshold may be INT32_MIN: 64-bit
      return room < 0 ? -1 : static_cast<int>(std::min<std::int64_t>(room / 2, width));
    };
    __m512i limit = _mm512_set1_epi32(most_differ());
    alignas(64) std::int32_t lanes[kBitPlaneLanes];
    for (std::int64_t group = g0; group < g1; ++group) {
      const std::uint32_t* ks = head.key_sign_group(group);
      __m512i differ = _mm512_popcnt_epi32(_mm512_xor_si512(_mm512_loadu_si512(ks), qs_v[0]));
      for (int w = 1; w < w_count; ++w)
        differ = _mm512_add_epi32(
            differ, _mm512_popcnt_epi32(_mm512_xor_si512(_mm512_loadu_si512(ks + w * kBitPlaneLanes), qs_v[w])));
      __mmask16 hit = _mm512_cmple_epi32_mask(differ, limit);
      if (hit == 0) continue;  // the common case: no key of the 16 reaches a kept level
      _mm512_store_si512(lanes, differ);
      while (hit) {
        const int lane = std::countr_zero(static_cast<unsigned>(hit));
        hit = static_cast<__mmask16>(hit & (hit - 1));
        offer(static_cast<std::int32_t>(width) - 2 * lanes[lane], group * kBitPlaneLanes + lane);
      }
      limit = _mm512_set1_epi32(most_differ());
    }
  }

  // Keys [first, end): whole groups of full keys in runs between the "unclean" groups (a
  // special or a non-full lane: `unclean`, ascending) take full_run; the rest one_group().
  void avx512(std::int64_t first, std::int64_t end, const std::vector<std::int64_t>& unclean) const {
    std::int64_t group = first / kBitPlaneLanes;
    const std::int64_t last_group = (end - 1) / kBitPlaneLanes;
    bool covers = head.has_common_mask();  // the query is nonzero wherever K is
    const std::uint32_t* qn = head.query_nonzero(row);
    for (int w = 0; covers && w < head.words(); ++w) covers = (qn[w] & head.common_mask()[w]) == head.common_mask()[w];
    if (!covers) {
      for (; group <= last_group; ++group) one_group(group, first, end);
      return;
    }
    auto next_unclean = std::lower_bound(unclean.begin(), unclean.end(), group);
    while (group <= last_group) {
      const bool partial = group * kBitPlaneLanes < first || (group + 1) * kBitPlaneLanes > end;
      if (partial || (next_unclean != unclean.end() && *next_unclean == group)) {
        one_group(group, first, end);
        ++group;
        if (next_unclean != unclean.end() && *next_unclean < group) ++next_unclean;
        continue;
      }
      // Whole groups up to the next unclean one or the last whole group.
      std::int64_t stop = end / kBitPlaneLanes;  // first group not wholly inside [first, end)
      if (next_unclean != unclean.end()) stop = std::min(stop, *next_unclean);
      switch (head.words()) {
        case 1: full_run<1>(group, stop, 1); break;
        case 2: full_run<2>(group, stop, 2); break;
        default: full_run<0>(group, stop, head.words()); break;
      }
      group = stop;
    }
  }

  // One group, any lanes: the general formula, lanes outside [first, end) and special ones off.
  void one_group(std::int64_t group, std::int64_t first, std::int64_t end) const {
    const int words = head.words();
    const std::uint32_t* qn = head.query_nonzero(row);
    const std::uint32_t* qs = head.query_sign(row);
    const std::int64_t base = group * kBitPlaneLanes;
    std::uint32_t in_range = 0xFFFFu;
    if (base < first) in_range &= 0xFFFFu << (first - base);
    if (base + kBitPlaneLanes > end) in_range &= 0xFFFFu >> (base + kBitPlaneLanes - end);
    const auto live = static_cast<__mmask16>(in_range & ~static_cast<std::uint32_t>(head.special_lanes(group)));
    const std::uint32_t* kn = head.key_nonzero_group(group);
    const std::uint32_t* ks = head.key_sign_group(group);
    __m512i score = _mm512_setzero_si512();
    for (int w = 0; w < words; ++w) {
      const __m512i both =
          _mm512_and_si512(_mm512_loadu_si512(kn + w * kBitPlaneLanes), _mm512_set1_epi32(static_cast<int>(qn[w])));
      // both & (key sign ^ query sign): 0x60 is the truth table of A & (B ^ C).
      const __m512i differ = _mm512_ternarylogic_epi32(both, _mm512_loadu_si512(ks + w * kBitPlaneLanes),
                                                       _mm512_set1_epi32(static_cast<int>(qs[w])), 0x60);
      score = _mm512_add_epi32(
          score, _mm512_sub_epi32(_mm512_popcnt_epi32(both), _mm512_slli_epi32(_mm512_popcnt_epi32(differ), 1)));
    }
    const std::int32_t threshold = std::max(floor, tile.keep_threshold());
    __mmask16 hit = _mm512_mask_cmpgt_epi32_mask(live, score, _mm512_set1_epi32(threshold));
    if (hit == 0) return;
    alignas(64) std::int32_t lanes[kBitPlaneLanes];
    _mm512_store_si512(lanes, score);
    while (hit) {
      const int lane = std::countr_zero(static_cast<unsigned>(hit));
      hit = static_cast<__mmask16>(hit & (hit - 1));
      offer(lanes[lane], base + lane);
    }
  }
#endif

  // Special keys in [first, end), scored exactly from their integers.
  void specials(std::int64_t first, std::int64_t end) const {
    const auto& list = head.special_keys();
    for (auto it = std::lower_bound(list.begin(), list.end(), first); it != list.end() && *it < end; ++it)
      offer(head.score(row, *it), *it);
  }
};

}  // namespace

void bitplane_attention_blocks(const BitPlaneHead& head, std::span<const std::int64_t> positions,
                               const RelativeWindow& window, int threads, PopcountKernel kernel,
                               const LevelBlockConsumer& consume, const PairProgress& progress) {
  const auto rows = static_cast<std::int64_t>(positions.size());
  if (rows != head.queries()) throw std::invalid_argument("bit planes: one position per query row");
  const bool vector = resolve(kernel) == PopcountKernel::avx512 && head.words() <= 4;
  const std::int64_t keys = head.keys();
  // Key groups with a special or a non-full lane (the vector kernel's slow groups).
  std::vector<std::int64_t> unclean;
  for (std::int64_t g = 0; g * kBitPlaneLanes < keys; ++g)
    if (head.special_lanes(g) != 0 || head.full_lanes(g) != 0xFFFFu) unclean.push_back(g);
  const std::int64_t blocks = (rows + kBitPlaneQueryBlock - 1) / kBitPlaneQueryBlock;
  std::atomic<std::int64_t> pairs_done{0};
  auto last_report = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(std::max(threads, 1))
  {
    std::vector<HostLevelStats> stats(static_cast<std::size_t>(kBitPlaneQueryBlock));
    HostLevelStats tile;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t block = 0; block < blocks; ++block) {
      const std::int64_t r0 = block * kBitPlaneQueryBlock, r1 = std::min(rows, r0 + kBitPlaneQueryBlock);
      std::int64_t lowest = keys, highest = -1, pairs = 0;
      for (std::int64_t r = r0; r < r1; ++r) {
        stats[static_cast<std::size_t>(r - r0)] = HostLevelStats{};
        const std::int64_t p = positions[static_cast<std::size_t>(r)];
        const std::int64_t first = std::max<std::int64_t>(0, p - window.hi);
        const std::int64_t last = std::min<std::int64_t>(keys - 1, p - window.lo);
        if (first > last) continue;
        lowest = std::min(lowest, first);
        highest = std::max(highest, last);
        pairs += last - first + 1;
      }
      for (std::int64_t t0 = lowest / kBitPlaneKeyTile * kBitPlaneKeyTile; t0 <= highest; t0 += kBitPlaneKeyTile) {
        const std::int64_t t1 = std::min(keys, t0 + kBitPlaneKeyTile);
        for (std::int64_t r = r0; r < r1; ++r) {
          const std::int64_t p = positions[static_cast<std::size_t>(r)];
          const std::int64_t first = std::max({std::int64_t{0}, p - window.hi, t0});
          const std::int64_t end = std::min(t1, p - window.lo + 1);
          if (first >= end) continue;
          HostLevelStats& running = stats[static_cast<std::size_t>(r - r0)];
          const RowSweep sweep{head, r, running.keep_threshold(), tile};
#ifdef COPYPROOF_AVX512_POPCOUNT
          if (vector)
            sweep.avx512(first, end, unclean);
          else
#endif
            sweep.portable(first, end);
          sweep.specials(first, end);
          if (!tile.empty()) {
            running.merge(tile, head.value_width());  // level_softmax.hpp's one merge
            tile = HostLevelStats{};
          }
        }
      }
      consume(r0, std::span<const HostLevelStats>(stats.data(), static_cast<std::size_t>(r1 - r0)));
      pairs_done += pairs;
      if (progress && omp_get_thread_num() == 0) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_report > std::chrono::milliseconds(500)) {
          last_report = now;
          progress(pairs_done.load());
        }
      }
    }
  }
  (void)vector;
  if (progress) progress(pairs_done.load());
}

std::vector<HostLevelStats> bitplane_attention_levels(const BitPlaneHead& head, std::span<const std::int64_t> positions,
                                                      const RelativeWindow& window, int threads,
                                                      PopcountKernel kernel) {
  std::vector<HostLevelStats> all(positions.size());
  bitplane_attention_blocks(head, positions, window, threads, kernel,
                            [&](std::int64_t first, std::span<const HostLevelStats> stats) {
                              std::copy(stats.begin(), stats.end(), all.begin() + first);
                            });
  return all;
}

}  // namespace copyproof::construction
