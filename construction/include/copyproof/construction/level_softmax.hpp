#pragma once
// Exact softmax attention over integer scores without an exponential per key.
//
// When a head's scores are `unit` times integers (the copy transformer's layer 2: codes
// are +-1, so <q, k> / lambda is an integer), the softmax weight of a key is
// e^{-unit t}, t = M - s the key's distance below the row's maximum score M. Keys are
// counted by level: for t < kLevels the count and the sum of the (integer) values are kept
// exactly; the keys further down (the "tail") are known only by number, and their total
// weight is at most tail * e^{-unit kLevels}. The common case per key is one comparison
// (s >= M - kLevels + 1); the rest is rare. The same code runs on the CPU (integer_attention)
// and in the CUDA kernel (gpu/), so the CPU tests check the GPU's arithmetic.

#include <cmath>
#include <cstdint>
#include <limits>

#include "copyproof/construction/host_device.hpp"

namespace copyproof::construction {

inline constexpr int kLevels = 4;               // levels M, M-1, M-2, M-3 are kept exactly
inline constexpr int kMaxLevelValueWidth = 17;  // d_v up to b = 17 (D = 65536)

template <int ValueWidth>
struct LevelStats {
  static constexpr std::int32_t kEmpty = std::numeric_limits<std::int32_t>::min();
  std::int32_t max_score = kEmpty;
  std::int32_t count[kLevels] = {};
  std::int32_t value_sum[kLevels][ValueWidth] = {};

  COPYPROOF_HOST_DEVICE bool empty() const { return max_score == kEmpty; }

  // Moves every level down by `shift` steps (the maximum rose by `shift`); levels that fall
  // past kLevels - 1 join the tail, which is only counted (by the caller, as keys - kept).
  COPYPROOF_HOST_DEVICE void lower_levels(std::int32_t shift, int dv) {
    for (int t = kLevels - 1; t >= 0; --t) {
      const int from = t - shift;
      count[t] = from >= 0 ? count[from] : 0;
      for (int c = 0; c < dv; ++c) value_sum[t][c] = from >= 0 ? value_sum[from][c] : 0;
    }
  }

  // Whether a key with this score can land in a kept level (the one test on the common path).
  COPYPROOF_HOST_DEVICE bool relevant(std::int32_t score) const { return empty() || score > max_score - kLevels; }

  // relevant(score) is score > this: a threshold vector kernels compare whole lanes against.
  // Stats merged into these later can only raise max_score, so a key at or below it is in
  // the tail of the merged stats too (the test a kernel may apply before merging tiles).
  COPYPROOF_HOST_DEVICE std::int32_t keep_threshold() const {
    return empty() ? std::numeric_limits<std::int32_t>::min() : max_score - kLevels;
  }

  // Adds one key with integer score `score` and integer value `value[0 .. dv)`.
  COPYPROOF_HOST_DEVICE void add(std::int32_t score, const std::int8_t* value, int dv) {
    if (!relevant(score)) return;
    if (empty()) {
      max_score = score;
    } else if (score > max_score) {
      const std::int32_t shift = score - max_score;
      lower_levels(shift < kLevels ? shift : kLevels, dv);
      max_score = score;
    }
    const int t = max_score - score;
    ++count[t];
    for (int c = 0; c < dv; ++c) value_sum[t][c] += value[c];
  }

  // Combines with stats over a disjoint set of keys.
  COPYPROOF_HOST_DEVICE void merge(const LevelStats& other, int dv) {
    if (other.empty()) return;
    if (empty()) {
      *this = other;
      return;
    }
    LevelStats lower = other;
    if (other.max_score > max_score) {
      lower = *this;
      *this = other;
    }
    const std::int32_t shift = max_score - lower.max_score;
    for (int t = 0; t + shift < kLevels; ++t) {
      count[t + shift] += lower.count[t];
      for (int c = 0; c < dv; ++c) value_sum[t + shift][c] += lower.value_sum[t][c];
    }
  }

  COPYPROOF_HOST_DEVICE std::int64_t kept() const {
    std::int64_t n = 0;
    for (int t = 0; t < kLevels; ++t) n += count[t];
    return n;
  }
};

// The softmax read off LevelStats for a row that saw `keys` allowed keys, scores scaled by
// `unit`, values bounded by `value_bound` in absolute value.
struct LevelSoftmax {
  double log_normalizer = -INFINITY;  // log sum_j e^{unit s_j}, kept levels only
  double normalizer = 0;              // sum over kept levels of count_t e^{-unit t} (>= 1 if any key)
  double tail_weight_bound = 0;       // the tail's total weight, relative to the top level: <= this
  double output_error_bound = 0;      // |exact output - out| per coordinate is <= this
};

// out[0 .. dv) = sum_t e^{-unit t} value_sum_t / normalizer; returns the bounds.
template <int ValueWidth>
COPYPROOF_HOST_DEVICE LevelSoftmax finish_level_softmax(const LevelStats<ValueWidth>& s, std::int64_t keys, double unit,
                                                        double value_bound, int dv, double* out) {
  LevelSoftmax r;
  for (int c = 0; c < dv; ++c) out[c] = 0;
  if (s.empty()) return r;
  double weight = 1.0;  // e^{-unit t}
  for (int t = 0; t < kLevels; ++t) {
    r.normalizer += weight * s.count[t];
    for (int c = 0; c < dv; ++c) out[c] += weight * s.value_sum[t][c];
    weight *= exp(-unit);
  }
  for (int c = 0; c < dv; ++c) out[c] /= r.normalizer;
  const double tail = static_cast<double>(keys - s.kept());
  // Tail keys score <= M - kLevels: total weight <= tail e^{-unit kLevels} = tail * weight now.
  r.tail_weight_bound = tail * weight;
  double largest = 0;
  for (int c = 0; c < dv; ++c) largest = fmax(largest, fabs(out[c]));
  // (Y + y) / (Z + z) - Y / Z = (y - (Y / Z) z) / (Z + z), |y| <= z_max value_bound, 0 <= z <= z_max.
  r.output_error_bound = r.tail_weight_bound * (value_bound + largest) / r.normalizer;
  r.log_normalizer = unit * s.max_score + log(r.normalizer);
  return r;
}

}  // namespace copyproof::construction
