// Proof step 1, layer 1 (docs/certify.md): a banded head's softmax at position i depends on
// the input only through where BOS (position 0) and COPY (position L + 1) sit in its window,
// so each head has O(n^2) window patterns, independent of L and of the letters. For each
// pattern that some input of length <= L_max produces, the mass off the target (the
// separators in the window, else the oldest position) is bounded from the head's weights,
// and with it the deviation of every written coordinate from its code.

#include <algorithm>
#include <string>

#include "certificate_parts.hpp"
#include "copyproof/construction/attention.hpp"

namespace copyproof::construction::certificate_detail {
namespace {

// Whether some input BOS x_1..x_L COPY x_1..x_L with 1 <= L <= max_length has a position
// whose window [lo, hi] (clipped at 0) holds BOS at offset `bos` (-1: not in the window,
// i.e. position > hi) and COPY at offset `copy` (-1: not in the window).
bool feasible(std::int64_t lo, std::int64_t hi, std::int64_t bos, std::int64_t copy, std::int64_t max_length) {
  auto some_length = [&](std::int64_t least) { return std::max<std::int64_t>(least, 1) <= max_length; };
  if (bos >= 0 && copy >= 0) return bos - 1 - copy >= 1 && bos - 1 - copy <= max_length;  // L = i - 1 - copy
  if (bos >= 0) return some_length(std::max(bos - lo, bos / 2));  // COPY past the window; position i <= 2L + 1
  if (copy >= 0) return some_length(std::max(hi - copy, copy));   // position L+1+copy > hi, <= 2L+1
  return some_length(hi + 1);                                     // a full window of letters
}

std::string offset_name(std::int64_t o) { return o < 0 ? "none" : std::to_string(o); }

}  // namespace

Interval certify_layer1(WeightReading& reading, std::int64_t max_length, const FormatModel& f,
                        std::vector<Inequality>& out) {
  reading.code_coordinate_deviation.assign(static_cast<std::size_t>(reading.d_model), 0.0);
  Interval worst = 0.0;
  for (const Layer1Head& h : reading.layer1) {
    const std::int64_t width = h.hi - h.lo + 1;
    // Scores relative to the oldest letter: alpha (d - hi) for a letter at offset d, plus the
    // separator bonus for a separator. One exp per (offset, kind).
    std::vector<Interval> letter, separator;
    for (std::int64_t d = h.lo; d <= h.hi; ++d) {
      const Interval s = h.slope * Interval(static_cast<double>(d - h.hi));
      letter.push_back(exp(s));
      separator.push_back(exp(s + h.separator_bonus));
    }
    SoftmaxRounding r;
    if (!f.exact) {
      const Interval largest = abs_hull(h.separator_bonus) + abs_hull(h.slope) * Interval(static_cast<double>(h.hi));
      const Terms& t = h.terms;
      r.keys = static_cast<double>(width);
      // q and k (t.query / t.key nonzero terms, stored), their product, the slope term and the sum.
      r.score_error = chain_error(f, t.query + t.key + 1 + 2, 2) * largest;
      r.shift_error = Interval(f.arithmetic_u) * Interval(2.0) * largest * (Interval(1.0) + r.score_error);
      const bool banded = width <= kBandedWindowLimit;
      // A block of queries walks the union of its rows' windows: up to 2 tiles more than one row's keys.
      const double tiles = std::ceil(static_cast<double>(width) / static_cast<double>(kAttentionKeyTile)) + 2;
      r.sum_ops = banded ? static_cast<double>(width) + 2 : static_cast<double>(kAttentionKeyTile) + 2 * tiles;
      r.rescale_steps = banded ? 0 : tiles;
      r.value_ops = t.value;
      r.value_stores = 1;
      r.output_ops = 1 + t.output + 1;  // division, W_o, residual add
      r.output_stores = 2;              // head output, stream
    }
    const RoundingFactors factors = rounding_factors(r, f);
    // Prefix sums of the letter weights: a pattern's weights are those sums with the
    // separator offsets swapped for separator weights, so each pattern costs O(1).
    std::vector<Interval> prefix(1, Interval(0.0));
    for (const Interval& x : letter) prefix.push_back(prefix.back() + x);
    auto letters_between = [&](std::int64_t a, std::int64_t z) {  // offsets a..z
      return prefix[static_cast<std::size_t>(z - h.lo + 1)] - prefix[static_cast<std::size_t>(a - h.lo)];
    };
    // The worst pattern of each kind is reported (the kinds: docs/certify.md, step 1).
    struct Worst {
      Interval deviation{-1.0, -1.0};
      std::int64_t bos = -1, copy = -1, patterns = 0;
    };
    Worst worst_of[4];  // clipped, clipped with COPY, COPY, letters
    for (std::int64_t bos = -1; bos <= h.hi; ++bos) {
      if (bos >= 0 && bos < h.lo) continue;  // window empty (k heads at position 0): writes 0, see layer 2's BOS key
      const std::int64_t top = bos >= 0 ? bos : h.hi;
      for (std::int64_t copy = -1; copy <= top; ++copy) {
        if ((copy >= 0 && copy < h.lo) || (copy >= 0 && copy == bos)) continue;
        if (!feasible(h.lo, h.hi, bos, copy, max_length)) continue;
        Interval on = 0.0, off = letters_between(h.lo, top);
        for (std::int64_t sep : {bos, copy}) {
          if (sep < 0) continue;
          const auto k = static_cast<std::size_t>(sep - h.lo);
          on = on + separator[k];
          off = off - letter[k];
        }
        if (bos < 0 && copy < 0) {  // no separator: the oldest position is the target
          on = letter[static_cast<std::size_t>(h.hi - h.lo)];
          off = off - on;
        }
        off.lo = std::fmax(off.lo, 0.0);
        const SoftmaxBound b = softmax_deviation(off / on, factors);
        const int kind = bos >= 0 ? (copy >= 0 ? 1 : 0) : (copy >= 0 ? 2 : 3);
        Worst& w = worst_of[kind];
        ++w.patterns;
        if (b.deviation.hi > w.deviation.hi) w.deviation = b.deviation, w.bos = bos, w.copy = copy;
      }
    }
    static const char* kKinds[4] = {"clipped", "clipped_copy", "copy", "letters"};
    static const char* kWords[4] = {
        "window clipped at position 0 (BOS at its oldest end)", "window clipped at position 0 with COPY inside too",
        "COPY in the window (the copy half's start)", "a full window of letters (either half)"};
    double head_worst = 0;
    for (int kind = 0; kind < 4; ++kind) {
      const Worst& w = worst_of[kind];
      if (w.patterns == 0) continue;
      head_worst = std::max(head_worst, w.deviation.hi);
      worst = max(worst, w.deviation);
      out.push_back(make_inequality("layer1." + h.name + "." + kKinds[kind],
                                    std::string("step 1 (layer 1): ") + kWords[kind] + "; worst of " +
                                        std::to_string(w.patterns) + " feasible pattern(s) at BOS offset " +
                                        offset_name(w.bos) + ", COPY offset " + offset_name(w.copy) +
                                        ": deviation of each written coordinate from its code < 1/2",
                                    w.deviation, Interval(0.5)));
    }
    for (int c = h.slice_offset; c < h.slice_offset + h.slice_width; ++c)
      reading.code_coordinate_deviation[static_cast<std::size_t>(c)] = head_worst;
  }
  return worst;
}

}  // namespace copyproof::construction::certificate_detail
