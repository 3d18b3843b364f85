// lookup-length-generalization: the lookup study (the paper's n-gram lookup tasks): string
// accuracy of the answer against the length of the string searched, per model, one panel
// per task (suffix: the key after the string; prefix: the key before it), mean over seeds
// with a 95% interval, the training lengths shaded.
// Data: DIR/lookup/<run>/eval.json (its "task" names the panel).

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "copyproof/figures/figure.hpp"
#include "trained_data.hpp"

namespace copyproof::figures {
namespace {

const std::string kStudy = "lookup";
// Suffix first: the task on which a fixed state must have kept the whole string.
const std::vector<std::pair<std::string, std::string>> kTasks = {{"suffix", "suffix lookup (key after the string)"},
                                                                 {"prefix", "prefix lookup (key before the string)"}};

std::string task_of(const StudyRun& run) {
  return run.eval && run.eval->contains("task") && (*run.eval)["task"].is_string()
             ? (*run.eval)["task"].get<std::string>()
             : std::string();
}

FigureOutput make(const FigureContext& ctx) {
  FigureOutput out;
  const auto runs = load_study(ctx.data_dir, kStudy);
  // One curve per (task, model), named as the study's groups: "suffix-transformer".
  const auto curves = collect_length_curves(runs, [](const StudyRun& run) {
    const std::string task = task_of(run);
    const bool lookup = std::any_of(kTasks.begin(), kTasks.end(), [&](const auto& t) { return t.first == task; });
    return lookup ? task + "-" + run.model : std::string();
  });
  if (curves.accuracies.empty()) {
    out.skipped = missing_study_note(ctx.data_dir, kStudy, "eval.json of a lookup task");
    return out;
  }
  const auto models = model_order(runs);
  std::vector<std::string> order;
  for (const auto& [task, title] : kTasks)
    for (const auto& model : models) order.push_back(task + "-" + model);
  out.table.columns = length_columns("group");
  add_length_rows(out.table, curves, order);

  out.plot.title = "n-gram lookup, trained on " + std::to_string(curves.train_min) + "-" +
                   std::to_string(curves.train_max) + " letters: which models find the answer in longer strings?";
  for (const auto& [task, title] : kTasks) {
    std::vector<CurveStyle> styles;
    for (std::size_t i = 0; i < models.size(); ++i)
      styles.push_back({task + "-" + models[i], model_label(runs, models[i]), model_colour(models[i]),
                        5 + 2 * static_cast<int>(i), 1 + static_cast<int>(i)});
    Panel panel = length_panel(curves, "group", styles);
    if (panel.series.empty()) continue;  // a study stopped before this task's first run: no panel
    panel.title = title;
    panel.xlabel = "length of the string searched (letters)";
    out.plot.panels.push_back(std::move(panel));
  }
  // Side by side, each panel as wide as a one-panel figure's plot.
  out.plot.cols = static_cast<int>(out.plot.panels.size());
  out.plot.width = out.plot.cols == 1 ? 1100 : 1400;
  return out;
}

}  // namespace

Figure lookup_length_generalization_figure() {
  return {"lookup-length-generalization",
          "String accuracy of the answer on the n-gram lookup tasks (study lookup: the default transformer, Mamba "
          "and LSTM, 5,000 steps on strings of 5-20 letters, 3-gram keys), against the length of the string "
          "searched; left the suffix task (key after the string), right the prefix task (key before it): mean over "
          "seeds with a 95% interval (Student t over seeds; Wilson for a single seed), the training lengths shaded.",
          "The paper's lookup experiment: transformers retrieve from the context, fixed-state models must have "
          "stored what the key asks for (suffix) and fail once the string outgrows what they keep",
          true,
          make,
          kStudy};
}

}  // namespace copyproof::figures
