// state-sweep-bound and state-sweep-small-bound: for each trained fixed-state model of the
// state-sweep study (26 letters, one seed) or the state-sweep-small study (4 letters, seeds
// 1-3, a row per seed), the longest length it copies with string accuracy >= 1/2 against its
// state's size in bits (32 per float32 number), beside Theorem 2.7's limit for that many
// bits over the study's alphabet. Computed by the study's own summary
// (trained/study_summary.hpp), the same numbers `copyproof study NAME --summary` prints and
// test_trained_study checks against the bound.
// Data: DIR/<study>/<run>/{config.json,train.jsonl,eval.json,eval-quantized.json}.

#include "copyproof/figures/figure.hpp"
#include "copyproof/trained/study.hpp"
#include "copyproof/trained/study_summary.hpp"
#include "plot_helpers.hpp"
#include "trained_data.hpp"

#include <utility>
#include <vector>

namespace copyproof::figures {
namespace {

// Where a model that copies no length (longest 0) is drawn on the log axis, labelled "0".
const double kZeroAt = 0.3;

// What differs between the two studies' figures.
struct SweepFigure {
  std::string study;
  std::string seeds_label;  // the legend's "(one seed each)"
};

FigureOutput make(const SweepFigure& spec, const FigureContext& ctx) {
  FigureOutput out;
  const trained::Study* study = trained::find_study(spec.study);
  nlohmann::json summary;
  try {
    summary = trained::study_summary(*study, ctx.data_dir);
  } catch (const std::exception&) {
    out.skipped = missing_study_note(ctx.data_dir, spec.study, "readable eval.json");
    return out;
  }
  out.table.columns = {"group",
                       "model",
                       "state_numbers",
                       "state_bits_32",
                       "longest_copied",
                       "longest_drawn",
                       "bound_longest_length_32",
                       "bits_per_letter_copied",
                       "fewest_bits_per_number",
                       "bound_at_fewest_bits"};
  for (const auto& g : summary["groups"]) {
    if (!g.contains("state_bits_32")) continue;  // the transformer (no fixed state) and runs not finished
    const std::string model = g["model"]["model"].get<std::string>();
    const auto bits = g["state_bits_32"].get<std::int64_t>();
    // Each seed is a row (state-sweep has one seed per model, state-sweep-small three).
    for (std::size_t seed = 0; seed < g["longest_copied_length"].size(); ++seed) {
      const int l = g["longest_copied_length"][seed].get<int>();
      // The fewest bits per number at which the quantized state still copies as far (null when
      // the model copies no length, or the quantized evaluation is absent).
      const nlohmann::json fewest =
          g.contains("fewest_bits_copying") ? g["fewest_bits_copying"][seed] : nlohmann::json();
      const nlohmann::json at = g.contains("bound_at_fewest_bits") ? g["bound_at_fewest_bits"][seed] : nlohmann::json();
      out.table.add_row({g["group"].get<std::string>(), model, num(g["model"]["state_numbers"].get<std::int64_t>()),
                         num(bits), num(l), num(l > 0 ? double(l) : kZeroAt),
                         num(g["bound_longest_length_32"].get<std::int64_t>()),
                         l > 0 ? num(double(bits) / l) : std::string("nan"),
                         fewest.is_number() ? num(fewest.get<std::int64_t>()) : std::string("nan"),
                         at.is_number() ? num(at.get<std::int64_t>()) : std::string("nan")});
    }
  }
  if (out.table.rows.empty()) {
    out.skipped = missing_study_note(ctx.data_dir, spec.study, "eval.json of a fixed-state model");
    return out;
  }
  out.plot.title =
      "No trained fixed-state model copies past Theorem 2.7's limit for its state; "
      "the trained ones stop far below it";
  Panel panel;
  panel.xlabel = "state size (bits: 32 per float32 number)";
  panel.ylabel = "longest length copied with string accuracy >= 1/2 (letters)";
  panel.logx = true;
  panel.logy = true;
  panel.yrange = "[0.2:5000]";  // both sweeps: 0 drawn at 0.3, the largest limit 3,584 letters
  // Inside, top left: the one empty corner (above the limit line, left of 1,000 bits). An
  // outside key took half the width and squeezed the plot (issue 13's review).
  panel.key = "inside left top vertical Left reverse spacing 1.2 box opaque";
  panel.extra = {"set ytics add ('0' " + num(kZeroAt) + ")"};
  panel.series.push_back({"Theorem 2.7 limit, 32 bits/number",
                          using_of({col("state_bits_32"), col("bound_longest_length_32")}),
                          "linespoints lw 2 pt 2 lc rgb '#000000'"});
  panel.series.push_back({"limit at the fewest bits/number still copying",
                          using_of({col("state_bits_32"), col("bound_at_fewest_bits")}),
                          "points pt 8 ps 1.6 lw 2 lc rgb '#000000'"});
  // LSTM filled, Mamba open and larger: lstm-h16 and mamba-w4-n1 both hold 1,024 bits.
  for (const auto& [model, point] :
       std::vector<std::pair<std::string, std::string>>{{"lstm", "pt 7 ps 1.3 "}, {"mamba", "pt 6 ps 2.2 lw 2 "}}) {
    const std::string is_model = text_equals("model", model);
    panel.series.push_back({"trained " + model + " " + spec.seeds_label,
                            using_of({col("state_bits_32"), where(is_model, "longest_drawn")}),
                            "points " + point + model_colour(model)});
  }
  out.plot.panels.push_back(std::move(panel));
  return out;
}

}  // namespace

Figure state_sweep_bound_figure() {
  return {"state-sweep-bound",
          "Trained one-layer LSTMs (hidden 2-64) and Mambas (width 4-16, N 1-4) of the state-sweep study "
          "(2,000 steps on 1-32 letters, seed 1): the longest length each copies with string accuracy >= 1/2 "
          "(200 strings per length; a model copying no length is drawn at '0') against its state in bits, "
          "and Theorem 2.7's limit for that many bits. The models are undertrained (most copy no length at all), "
          "so the gap measures training as much as state. Triangles: the limit for the state quantized to the fewest "
          "bits per number at which the model still copies as far as in float32 (eval --quantize-state).",
          "Theorem 2.7 (a fixed state of b bits cannot copy L letters with error < 1/2 once 2^b <= D^L / 2) "
          "holds on trained models; the distance to the limit is bits of state per letter copied",
          true,
          [](const FigureContext& ctx) {
            return make({"state-sweep", "(one seed each)"}, ctx);
          },
          "state-sweep"};
}

Figure state_sweep_small_bound_figure() {
  return {"state-sweep-small-bound",
          "Trained one-layer LSTMs (hidden 2-64, 4-128 state numbers) and Mambas (16-224 state numbers) of the "
          "state-sweep-small study (copy over 4 letters, 20,000 steps on 1-32 letters, seeds 1-3: a point per "
          "seed): the longest length each copies with string accuracy >= 1/2 (200 strings per length, evaluated to "
          "128 letters; a model copying no length is drawn at '0') against its state in bits, and Theorem 2.7's "
          "limit over 4 letters (2 bits each) for that many bits. Triangles: the limit for the state quantized to "
          "the fewest bits per number at which the model still copies as far as in float32 (eval --quantize-state).",
          "Theorem 2.7 over a small alphabet, where the limit falls inside the evaluated lengths for the smallest "
          "states: no trained point beats it; the distance is bits of state per letter copied",
          true,
          [](const FigureContext& ctx) {
            return make({"state-sweep-small", "(seeds 1-3, a point each)"}, ctx);
          },
          "state-sweep-small"};
}

}  // namespace copyproof::figures
