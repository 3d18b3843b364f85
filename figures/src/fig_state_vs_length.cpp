// state-vs-length, the headline: the state a fixed-state model needs to copy L letters
// (Theorem 2.7 inverted: B > L log2 D + log2(1 - eps)) against the size of the copy
// transformer that does it with error <= 0.01 (Corollary 2.5, sharp Lemma 2.4 form), for
// D = 26 and D = 50277, with every published preset marked where its state stops
// sufficing. Presets come from the library's list, so new ones appear here by themselves;
// a preset whose state grows with L (a KV cache) is drawn as a growing line instead.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>

#include "copyproof/figures/figure.hpp"
#include "copyproof/ssm_bounds/architecture_presets.hpp"
#include "copyproof/ssm_bounds/copy_error_bound.hpp"
#include "copyproof/ssm_bounds/transformer_side.hpp"
#include "plot_helpers.hpp"

namespace copyproof::figures {
namespace {

namespace sb = ssm_bounds;
const std::vector<int> kAlphabets = {26, sb::kGptNeoxVocabulary};
constexpr int kBits = sb::kDefaultBitsPerNumber;  // bits per stored number (fp16/bf16)

double to_double(const sb::cpp_int& x) { return x.convert_to<double>(); }

// 10^(k/steps) for L from 10 to 10^12, rounded to integers and deduplicated.
std::vector<std::int64_t> length_grid(int steps_per_decade) {
  std::vector<std::int64_t> grid;
  for (int k = steps_per_decade; k <= 12 * steps_per_decade; ++k) {
    const auto length = static_cast<std::int64_t>(std::llround(std::pow(10.0, double(k) / steps_per_decade)));
    if (grid.empty() || length > grid.back()) grid.push_back(length);
  }
  return grid;
}

FigureOutput make(const FigureContext& ctx) {
  FigureOutput out;
  out.table.columns = {"row",
                       "D",
                       "L",
                       "gssm_bits_half",
                       "gssm_bits_0.01",
                       "ngram",
                       "params",
                       "weight_bits",
                       "kv_bits_per_token",
                       "kv_cache_bits",
                       "preset",
                       "family",
                       "preset_state_bits"};
  const std::string nan = num(std::nan(""));
  const sb::cpp_rational half(1, 2), one_percent(1, 100);
  const auto grid = length_grid(ctx.quick ? 2 : 8);
  for (int alphabet : kAlphabets) {
    ctx.note("state-vs-length: D = " + std::to_string(alphabet));
    for (std::int64_t length : grid) {
      const sb::cpp_int L(length);
      const auto side = sb::transformer_side(alphabet, L, one_percent);
      std::string params = nan, weight_bits = nan, kv_per_token = nan, kv_cache = nan;
      if (side.shape) {
        params = num(side.shape->params);
        weight_bits = num(double(side.shape->params) * kBits);
        kv_per_token = num(double(side.shape->kv_numbers_per_token) * kBits);
        kv_cache = num(to_double(side.kv_numbers_at_copy) * kBits);
      }
      out.table.add_row({"curve", num(alphabet), num(length), num(to_double(sb::min_state_bits(alphabet, L, half))),
                         num(to_double(sb::min_state_bits(alphabet, L, one_percent))), num(side.ngram), params,
                         weight_bits, kv_per_token, kv_cache, "", "", nan});
    }
  }
  // Presets at their own vocabulary (the GPT-NeoX tokenizer): a fixed state is a point at
  // the longest L where error <= 1/2 is still possible; a growing one is a line.
  const int preset_alphabet = sb::kGptNeoxVocabulary;
  std::vector<std::string> fixed_families, growing_presets;
  std::map<std::string, std::string> growing_family;
  for (const auto& preset : sb::published_presets()) {
    if (preset.fixed_state()) {
      const auto numbers = preset.state_numbers(0, true);
      const auto states = sb::state_of_numbers(numbers, kBits);
      const auto stop = sb::max_copy_length(states, preset_alphabet, half);
      out.table.add_row({"preset-stop", num(preset_alphabet), num(to_double(stop)), nan, nan, nan, nan, nan, nan, nan,
                         preset.name, preset.family, num(to_double(numbers) * kBits)});
      if (std::find(fixed_families.begin(), fixed_families.end(), preset.family) == fixed_families.end())
        fixed_families.push_back(preset.family);
    } else {
      growing_presets.push_back(preset.name);
      growing_family[preset.name] = preset.family;
      for (std::int64_t length : grid)
        out.table.add_row({"preset-growing", num(preset_alphabet), num(length), nan, nan, nan, nan, nan, nan, nan,
                           preset.name, preset.family,
                           num(to_double(preset.state_numbers(sb::cpp_int(length), true)) * kBits)});
    }
  }

  out.plot.title = "A fixed-state model needs state linear in L; the copy transformer's weights grow like log L";
  out.plot.width = 1200;
  out.plot.height = 720;
  Panel panel;
  panel.xlabel = "copy length L (tokens)";
  panel.ylabel = "bits (numbers at 16 bits each)";
  panel.logx = panel.logy = true;
  panel.xrange = "[10:1e12]";
  panel.yrange = "[10:1e19]";
  panel.key = "outside right top vertical Left reverse spacing 1.1 font ',11'";
  const std::vector<std::string> d_colours = {palette(0), palette(1)};
  for (std::size_t i = 0; i < kAlphabets.size(); ++i) {
    const std::string d = std::to_string(kAlphabets[i]);
    const std::string is_d = text_equals("row", "curve") + " && " + equals("D", d);
    panel.series.push_back({"GSSM state needed, err ≤ 1/2, D = " + d,
                            using_of({col("L"), where(is_d, "gssm_bits_half")}), "lines lw 2.5 " + d_colours[i]});
    panel.series.push_back({"GSSM state needed, err ≤ 0.01, D = " + d,
                            using_of({col("L"), where(is_d, "gssm_bits_0.01")}), "points pt 6 ps 0.6 " + d_colours[i]});
    panel.series.push_back({"copy transformer weights, D = " + d, using_of({col("L"), where(is_d, "weight_bits")}),
                            "linespoints lw 2 pt 4 ps 1 pi 8 " + d_colours[i]});
    panel.series.push_back({"copy transformer KV cache, D = " + d, using_of({col("L"), where(is_d, "kv_cache_bits")}),
                            "lines lw 1.5 dt 3 " + d_colours[i]});
  }
  const std::vector<int> point_types = {5, 7, 9, 11, 13, 15, 4, 6, 8, 10, 12, 14};
  for (std::size_t f = 0; f < fixed_families.size(); ++f) {
    panel.series.push_back(
        {fixed_families[f] + " presets (where they stop)",
         using_of(
             {col("L"), where(text_equals("family", fixed_families[f]) + " && " + text_equals("row", "preset-stop"),
                              "preset_state_bits")}),
         "points pt " + std::to_string(point_types[f % point_types.size()]) + " ps 1.3 " + palette(2 + f)});
  }
  for (std::size_t g = 0; g < growing_presets.size(); ++g) {
    panel.series.push_back({g == 0 ? growing_family[growing_presets[g]] + " KV cache (grows)" : std::string(),
                            using_of({col("L"), where(text_equals("preset", growing_presets[g]) + " && " +
                                                          text_equals("row", "preset-growing"),
                                                      "preset_state_bits")}),
                            "lines lw 1 lc rgb '#777777'"});
  }
  out.plot.panels.push_back(std::move(panel));
  return out;
}

}  // namespace

Figure state_vs_length_figure() {
  return {"state-vs-length",
          "Bits of state a fixed-state model (GSSM) needs to copy L tokens with error <= 1/2 or <= 0.01 "
          "(Theorem 2.7 inverted), next to the copy transformer that reaches error <= 0.01 (Corollary 2.5): its "
          "weights at 16 bits per number and its KV cache once the input is read, for D = 26 and D = 50277. "
          "Published fixed-state presets (16 bits per number) are marked at the longest length where error <= 1/2 "
          "is still possible; presets whose cache grows with L are drawn as lines.",
          "Theorem 2.7 and Corollary 2.8 (state linear in L) against Corollary 2.5 (dimension logarithmic in L)",
          false,
          make,
          ""};
}

}  // namespace copyproof::figures
