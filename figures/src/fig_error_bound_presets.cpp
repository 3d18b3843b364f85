// error-bound-presets: Theorem 2.7's lower bound err > 1 - |S| / D^L for every published
// preset at 16 bits per number, over the GPT-NeoX vocabulary (D = 50277), against L.
// The bound climbs from 0 to ~1 within one or two tokens of the length where the state
// runs out, so each preset is a step; presets whose state grows with L stay at 0.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>

#include "copyproof/figures/figure.hpp"
#include "copyproof/ssm_bounds/architecture_presets.hpp"
#include "copyproof/ssm_bounds/copy_error_bound.hpp"
#include "plot_helpers.hpp"

namespace copyproof::figures {
namespace {

namespace sb = ssm_bounds;
constexpr int kAlphabet = sb::kGptNeoxVocabulary;
constexpr int kBits = sb::kDefaultBitsPerNumber;

FigureOutput make(const FigureContext& ctx) {
  FigureOutput out;
  out.table.columns = {"preset", "family", "growth", "state_bits_at_L", "L", "error_lower_bound"};
  const int per_decade = ctx.quick ? 4 : 16;
  std::set<std::int64_t> base;
  for (int k = 4 * per_decade; k <= 11 * per_decade; ++k)
    base.insert(static_cast<std::int64_t>(std::llround(std::pow(10.0, double(k) / per_decade))));
  std::vector<std::string> families;
  ctx.note("error-bound-presets: " + std::to_string(sb::published_presets().size()) + " presets");
  for (const auto& preset : sb::published_presets()) {
    const bool fixed = preset.fixed_state();
    std::set<std::int64_t> lengths = base;
    if (fixed) {
      // The step itself: the last lengths where err <= 1/2 is possible and the next ones.
      const auto stop = sb::max_copy_length(sb::state_of_numbers(preset.state_numbers(0, true), kBits), kAlphabet,
                                            sb::cpp_rational(1, 2));
      const auto s = stop.convert_to<std::int64_t>();
      for (std::int64_t d = -2; d <= 3; ++d) lengths.insert(std::max<std::int64_t>(1, s + d));
    }
    for (std::int64_t length : lengths) {
      const sb::cpp_int L(length);
      const auto numbers = preset.state_numbers(L, true);
      const auto bound = sb::copy_error_lower_bound(sb::state_of_numbers(numbers, kBits), kAlphabet, L);
      out.table.add_row({preset.name, preset.family, fixed ? "fixed" : "grows-with-L",
                         num(numbers.convert_to<double>() * kBits), num(length), num(std::stod(bound.decimal))});
    }
    if (std::find(families.begin(), families.end(), preset.family) == families.end()) families.push_back(preset.family);
  }

  out.plot.title =
      "Past the length its state holds, every fixed-state preset errs on almost every string (Theorem 2.7)";
  out.plot.width = 1200;
  Panel panel;
  panel.xlabel = "copy length L (tokens, D = 50277)";
  panel.ylabel = "lower bound on the copy error";
  panel.logx = true;
  panel.xrange = "[1e4:1e11]";  // room on the right for the legend: every step is below 1e8
  panel.yrange = "[-0.03:1.05]";
  panel.key = "inside right center vertical Left reverse spacing 1.1 box font ',11'";
  std::set<std::string> titled;
  for (const auto& preset : sb::published_presets()) {
    const auto f =
        static_cast<std::size_t>(std::find(families.begin(), families.end(), preset.family) - families.begin());
    const bool fixed = preset.fixed_state();
    const std::string title = titled.insert(preset.family).second ? preset.family + (fixed ? "" : ", no bound") : "";
    panel.series.push_back({title, using_of({col("L"), where(text_equals("preset", preset.name), "error_lower_bound")}),
                            std::string("lines lw 1.5 ") + (fixed ? "" : "dt 2 ") + palette(f)});
  }
  out.plot.panels.push_back(std::move(panel));
  return out;
}

}  // namespace

Figure error_bound_presets_figure() {
  return {"error-bound-presets",
          "Theorem 2.7's lower bound on the copy error, 1 - |S| / D^L, for every published preset at 16 bits per "
          "number (D = 50277, the GPT-NeoX vocabulary), against the copy length L: zero while the state can hold "
          "the string, then near 1 within a token or two. One line per preset, one colour per family.",
          "Theorem 2.7 and Corollary 2.8, for the published architectures",
          false,
          make,
          ""};
}

}  // namespace copyproof::figures
