// The int8 path (copy_forward.cpp's CpuIntegerBackend, integer_attention.hpp): layer 1 in
// binary32, then layer 2's queries / unit, keys and values rounded to int8, integer scores,
// and the level softmax of level_softmax.hpp in binary64. It is right on every input when
// (a) every rounded entry is the integer the exact codes give (distance < 1/2), (b) those
// integers fit int8 and the level counts fit int32, and (c) the integer levels put the
// match >= the integer gap above every other key, so the kept levels hold matched mass w.

#include <algorithm>
#include <cmath>

#include "certificate_parts.hpp"
#include "copyproof/construction/level_softmax.hpp"

namespace copyproof::construction::certificate_detail {
namespace {

Interval count(std::int64_t n) {
  const auto d = static_cast<double>(n);
  return {down(d), up(d)};
}

// The exact values a stream coordinate entering layer 2 can take: +-1 on codes, {0, 1} on
// the flags, 1 on `one`, 0 on out. We enumerate {-1, 0, 1}, a superset.
constexpr double kStreamValues[] = {-1.0, 0.0, 1.0};

}  // namespace

Layer2Result certify_layer2_int8(const WeightReading& w, std::int64_t max_length, const FormatModel& layer1_format,
                                 std::vector<Inequality>& out) {
  const std::int64_t keys = 2 * max_length + 2;
  const double unit = w.integer_score_unit;
  const Interval unit_i = unit;
  const FormatModel f64 = format_model(CertificatePrecision::fp64);
  // A rounded entry: (weight / scale) x computed in binary32 over d_model terms, then divided in binary64.
  const Interval product_error =
      chain_error(layer1_format, std::max(w.layer2_terms.query, w.layer2_terms.key), 0) + chain_error(f64, 1, 0);
  double distance_q = 0, distance_k = 0;
  std::int64_t bad_rows = 0;
  int largest = 0;
  // Integer of row r for exact stream value s: nearest integer to weight * s / scale.
  auto rounded = [&](const std::vector<std::pair<int, double>>& row, double scale, double s, double& distance) {
    if (row.size() > 1) ++bad_rows;  // the integer path needs one entry per row to name its integer
    if (row.empty()) return 0.0;
    const auto [coordinate, weight] = row[0];
    const double dev = w.code_coordinate_deviation[static_cast<std::size_t>(coordinate)];
    const Interval center = Interval(weight) * Interval(s) / Interval(scale);
    const double target = std::nearbyint((center.lo + center.hi) / 2);
    const Interval reach =
        abs_hull(Interval(weight) / Interval(scale)) * Interval(dev) * (Interval(1.0) + product_error) +
        abs_hull(center) * product_error;
    const Interval far = abs_hull(center - Interval(target)) + reach;
    distance = std::max(distance, far.hi);
    largest = std::max(largest, static_cast<int>(std::fabs(target)));
    return target;
  };
  // Integer level structure: aligned rows contribute P_r = q_r(+1) k_r(+1) on a match and
  // lose 2 P_r per differing bit; the (one, bos) row scores only at BOS.
  std::int64_t match = 0, least_product = std::numeric_limits<std::int64_t>::max(), bos_score = 0;
  std::int64_t off_pattern_rows = 0;
  for (std::size_t r = 0; r < w.layer2_query_rows.size(); ++r) {
    const auto& qr = w.layer2_query_rows[r];
    const auto& kr = w.layer2_key_rows[r];
    double q1 = 0, k1 = 0;
    for (double s : kStreamValues) {
      const double q = rounded(qr, unit, s, distance_q), k = rounded(kr, 1.0, s, distance_k);
      if (s == 1.0) q1 = q, k1 = k;
    }
    if (qr.empty() || kr.empty()) continue;
    const std::pair<int, int> pair{qr[0].first, kr[0].first};
    if (std::find(w.aligned.begin(), w.aligned.end(), pair) != w.aligned.end()) {
      const auto p = static_cast<std::int64_t>(q1 * k1);
      match += p;
      least_product = std::min(least_product, p);
      bool sees_bos = true;
      for (const Layer1Head& h : w.layer1)
        if (pair.second >= h.slice_offset && pair.second < h.slice_offset + h.slice_width) sees_bos = h.lo == 0;
      if (sees_bos) bos_score += std::llabs(p);
    } else if (pair == std::make_pair(w.one_coordinate, w.bos_coordinate)) {
      bos_score += static_cast<std::int64_t>(q1 * k1);
    } else {
      ++off_pattern_rows;
    }
  }
  // Values: tok(j) read by W_v in binary32, rounded to integers.
  const double value_distance = chain_error(layer1_format, w.layer2_terms.value, 0).hi;

  out.push_back(make_inequality("int8.query_distance",
                                "int8: every query / unit lies within < 1/2 of the integer the exact codes give",
                                Interval(distance_q), Interval(0.5)));
  out.push_back(make_inequality("int8.key_distance",
                                "int8: every key lies within < 1/2 of the integer the exact codes give",
                                Interval(distance_k), Interval(0.5)));
  out.push_back(make_inequality("int8.value_distance", "int8: every value lies within < 1/2 of its +-1 code",
                                Interval(value_distance), Interval(0.5)));
  out.push_back(make_inequality("int8.range", "int8: every rounded query, key and value fits int8 (|x| < 128)",
                                Interval(static_cast<double>(largest)), Interval(128.0)));
  out.push_back(make_inequality("int8.rows",
                                "int8: one entry per row of W_q, W_k, pairing aligned code blocks or (one, bos)",
                                Interval(static_cast<double>(bad_rows + off_pattern_rows)), Interval(1.0)));
  out.push_back(make_inequality("int8.level_counts",
                                "int8: a level's key count and value sums (<= T) fit int32 (level_softmax.hpp)",
                                count(keys), Interval(2147483648.0)));
  const std::int64_t gap = least_product == std::numeric_limits<std::int64_t>::max()
                               ? 0
                               : std::min<std::int64_t>(2 * least_product, match - bos_score);
  out.push_back(make_inequality("int8.integer_gap",
                                "step 3 (int8): the match's integer score exceeds every other key's (BOS included) "
                                "by >= the integer gap (lhs 0 < rhs gap)",
                                Interval(0.0), Interval(static_cast<double>(gap))));
  Layer2Result r;
  r.perturbation = 0.0;
  r.gap = unit_i * Interval(static_cast<double>(gap));
  // Level softmax in binary64: weights e^{-unit t} by repeated multiplication, sums over the
  // kept levels, one division. Dropping the tail only raises the matched share.
  SoftmaxRounding rounding;
  rounding.keys = static_cast<double>(keys);
  rounding.rescale_steps = kLevels;
  rounding.sum_ops = 2.0 * kLevels + 2;
  rounding.output_ops = 1;
  const Interval wrong = count(keys - 1) * exp(-r.gap);
  const SoftmaxBound b = softmax_deviation(wrong, rounding, f64);
  r.match_mass = b.target_mass;
  r.out_deviation = b.deviation;  // values round to their codes exactly (int8.value_distance)
  out.push_back(make_inequality("layer2.matched_mass",
                                "step 3 (int8): the matched key's mass among the kept levels, T = 2 L_max + 2 keys "
                                "(lhs 1/2 < rhs = w)",
                                Interval(0.5), r.match_mass));
  return r;
}

}  // namespace copyproof::construction::certificate_detail
