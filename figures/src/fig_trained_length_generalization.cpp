// trained-length-generalization: string accuracy of the trained transformer, Mamba and
// LSTM (study copy-seeds-5k) against the test length, mean over seeds with a 95% interval,
// the training lengths shaded. Data: DIR/copy-seeds-5k/<run>/eval.json.

#include <algorithm>

#include "copyproof/figures/figure.hpp"
#include "plot_helpers.hpp"
#include "trained_data.hpp"

namespace copyproof::figures {
namespace {

const std::string& kStudy = kCopyStudy;

FigureOutput make(const FigureContext& ctx) {
  FigureOutput out;
  const auto runs = load_study(ctx.data_dir, kStudy);
  const auto curves = collect_length_curves(runs, [](const StudyRun& run) { return run.model; });
  if (curves.accuracies.empty()) {
    out.skipped = missing_study_note(ctx.data_dir, kStudy, "eval.json");
    return out;
  }
  const auto models = model_order(runs);
  out.table.columns = length_columns("model");
  add_length_rows(out.table, curves, models);
  out.plot.title = "Past the training lengths (" + std::to_string(curves.train_min) + "-" +
                   std::to_string(curves.train_max) +
                   "): which trained models keep copying? (paper: the transformer, not fixed-state models)";
  std::vector<CurveStyle> styles;
  for (std::size_t i = 0; i < models.size(); ++i)
    styles.push_back({models[i], model_label(runs, models[i]), model_colour(models[i]), 5 + 2 * static_cast<int>(i),
                      1 + static_cast<int>(i)});
  out.plot.panels.push_back(length_panel(curves, "model", styles));
  return out;
}

}  // namespace

Figure trained_length_generalization_figure() {
  return {"trained-length-generalization",
          "String accuracy of the trained transformer, Mamba and LSTM (study copy-seeds-5k: the default models at "
          "5,000 steps, ~100k parameters each) "
          "against the length of the test strings: mean over seeds with a 95% interval (Student t over seeds; "
          "Wilson for a single seed), the training lengths shaded.",
          "The paper's trained comparison (length generalization): fixed-state models fail past their "
          "training lengths, the transformer generalizes",
          true,
          make,
          kStudy};
}

}  // namespace copyproof::figures
