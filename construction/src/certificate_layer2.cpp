// Proof steps 2-3, layer 2 (docs/certify.md). The bilinear form M = W_q^T W_k pairs the
// query's code blocks with the keys' (tok with k1, q_m with k_{m+1}); on exact +-1 codes a
// key at Hamming distance H from the query scores sum_c lambda_c - 2 sum_{c in H} lambda_c,
// so every non-matching key is >= 2 min_c lambda_c below the match. Layer 1's deviations
// and any entry of M outside that pattern move each score by at most eta. Uniqueness of the
// match (step 2) is combinatorial: a second full match is a repeated n-gram (docs/construction.md).

#include <algorithm>
#include <set>

#include "certificate_parts.hpp"
#include "copyproof/construction/attention.hpp"

namespace copyproof::construction::certificate_detail {
namespace {

Interval count(std::int64_t n) {  // an integer that may exceed 2^53, enclosed
  const auto d = static_cast<double>(n);
  return {down(d), up(d)};
}

double deviation(const WeightReading& w, int coordinate) {
  return w.code_coordinate_deviation.empty() ? 0.0 : w.code_coordinate_deviation[static_cast<std::size_t>(coordinate)];
}

// Key coordinates whose layer-1 head sees position 0 itself (window lo = 0): there BOS's key
// holds c(CUT); with lo >= 1 the window at position 0 is empty and the coordinate is exactly 0.
bool key_sees_bos(const WeightReading& w, int coordinate) {
  for (const Layer1Head& h : w.layer1)
    if (coordinate >= h.slice_offset && coordinate < h.slice_offset + h.slice_width) return h.lo == 0;
  return true;  // not written by layer 1: assume the worst
}

struct Levels {
  Interval lambda_min;  // smallest aligned entry
  Interval match;       // exact matched score sum_c lambda_c
  Interval bos_score;   // exact score of the BOS key, upper end meaningful
  Interval eta;         // perturbation of any score
  Interval abs_score;   // sum_r |q_r k_r| bound (what the dot product's rounding scales with)
};

Levels read_levels(const WeightReading& w) {
  Levels v;
  std::set<std::pair<int, int>> pattern(w.aligned.begin(), w.aligned.end());
  const std::pair<int, int> one_bos{w.one_coordinate, w.bos_coordinate};
  v.lambda_min = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  v.match = 0.0;
  v.eta = 0.0;
  v.abs_score = 0.0;
  v.bos_score = 0.0;
  const Interval one = 1.0;
  for (const auto& [a, c] : w.aligned) {
    const auto it = w.form.find({a, c});
    const Interval lambda = it == w.form.end() ? Interval(0.0) : it->second.value;
    v.lambda_min = min(v.lambda_min, lambda);
    v.match = v.match + lambda;
    const Interval da = deviation(w, a), dc = deviation(w, c);
    v.eta = v.eta + abs_hull(lambda) * (da + dc + da * dc);  // |x_a x_c - s_a s_c| <= da + dc + da dc
    if (key_sees_bos(w, c)) v.bos_score = v.bos_score + abs_hull(lambda) * (one + da);
  }
  for (const auto& [key, entry] : w.form) {
    const Interval da = deviation(w, key.first), dc = deviation(w, key.second);
    v.abs_score = v.abs_score + Interval(entry.abs_sum) * (one + da) * (one + dc);
    if (pattern.count(key)) continue;
    if (key == one_bos) {  // one(i) = 1; bos(j) = 1 only at BOS
      v.bos_score = v.bos_score + entry.value;
      continue;
    }
    // Outside the pattern: |M_ab x_a x_b| <= |M_ab| (1 + da)(1 + db) (every stream entry is a
    // code, a flag or 0, within its deviation).
    v.eta = v.eta + abs_hull(entry.value) * (one + da) * (one + dc);
  }
  if (w.aligned.empty()) v.lambda_min = 0.0;
  return v;
}

}  // namespace

Layer2Result certify_layer2(const WeightReading& w, std::int64_t max_length, const FormatModel& f,
                            std::vector<Inequality>& out) {
  const Levels v = read_levels(w);
  const std::int64_t keys = 2 * max_length + 2;  // positions 0 .. 2 L_max + 1
  Layer2Result r;
  r.perturbation = v.eta;
  const Interval two = 2.0;
  const Interval letter_gap = two * v.lambda_min - two * v.eta;
  const Interval match_low = v.match - v.eta;
  const Interval bos_high = v.bos_score + v.eta;
  const Interval bos_gap = match_low - bos_high;
  r.gap = min(letter_gap, bos_gap);
  out.push_back(
      make_inequality("layer2.score_gap",
                      "step 3: a non-matching key scores >= 2 min_c lambda_c - 2 eta below the match "
                      "(lhs 0 < rhs = that gap; eta = layer-1 deviations and off-pattern entries of W_q^T W_k)",
                      Interval(0.0), letter_gap));
  out.push_back(
      make_inequality("layer2.bos_key",
                      "step 2: the BOS key (k slices empty at position 0, bos penalty) scores below the match "
                      "(lhs BOS score upper end < rhs matched score lower end)",
                      bos_high, match_low));
  SoftmaxRounding rounding;
  if (!f.exact) {
    // A block of queries walks the union of its rows' keys: up to 2 tiles more than one row's.
    const double tiles = std::ceil(static_cast<double>(keys) / static_cast<double>(kAttentionKeyTile)) + 2;
    rounding.keys = static_cast<double>(keys);
    // q, k: dot products of layer2_terms nonzero terms, stored; then q . k over d_k.
    const Terms& t = w.layer2_terms;
    rounding.score_error = chain_error(f, t.query + t.key + w.layer2_key_width, 2) * v.abs_score;
    rounding.shift_error = Interval(f.arithmetic_u) * two * v.abs_score * (Interval(1.0) + rounding.score_error);
    rounding.rescale_steps = tiles;
    rounding.sum_ops = static_cast<double>(kAttentionKeyTile) + 2 * tiles;
    rounding.value_ops = t.value;
    rounding.value_stores = 1;
    rounding.output_ops = 1 + t.output + 1;
    rounding.output_stores = 2;
  }
  // Exact arithmetic: w >= 1 / (1 + (T - 1) e^{-gap}).
  const Interval wrong = count(keys - 1) * exp(-r.gap);
  const SoftmaxBound b = softmax_deviation(wrong, rounding, f);
  r.match_mass = b.target_mass;
  r.match_mass.lo = std::fmax(r.match_mass.lo, 0.0);
  r.out_deviation = b.deviation;
  out.push_back(make_inequality("layer2.matched_mass",
                                "step 3: the matched key's softmax mass over T = 2 L_max + 2 keys, rounding included "
                                "(lhs 1/2 < rhs = w; 1/2 is the exact argmax threshold, step 4)",
                                Interval(0.5), r.match_mass));
  return r;
}

}  // namespace copyproof::construction::certificate_detail
