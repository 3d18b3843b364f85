// trained-sample-efficiency: string accuracy at the training length's top (the eval
// points of `train --log`) against training examples seen (step x batch), per model,
// mean over seeds with a 95% interval. Data: DIR/copy-seeds-5k/<run>/train.jsonl.

#include <algorithm>
#include <map>

#include "copyproof/figures/figure.hpp"
#include "plot_helpers.hpp"
#include "trained_data.hpp"

namespace copyproof::figures {
namespace {

const std::string& kStudy = kCopyStudy;

FigureOutput make(const FigureContext& ctx) {
  FigureOutput out;
  const auto runs = load_study(ctx.data_dir, kStudy);
  std::map<std::pair<std::string, std::int64_t>, std::vector<double>> accuracies;  // (model, examples)
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> samples;
  int eval_length = 0;
  for (const auto& run : runs) {
    const auto& train = run.config.contains("train") ? run.config["train"] : nlohmann::json::object();
    const std::int64_t batch = train.value("batch", std::int64_t{0});
    if (batch <= 0) continue;
    // Log eval points do not repeat their sample count; the train --json object has it.
    const std::int64_t eval_samples =
        train.contains("eval") ? train["eval"].value("samples", std::int64_t{0}) : std::int64_t{0};
    for (const auto& line : run.log) {
      if (!line.contains("eval")) continue;
      const auto& e = line["eval"];
      eval_length = e.value("length", eval_length);
      const auto key = std::make_pair(run.model, line.at("step").get<std::int64_t>() * batch);
      accuracies[key].push_back(e.at("string_accuracy").get<double>());
      samples[key] = e.value("samples", eval_samples);
    }
  }
  if (accuracies.empty()) {
    out.skipped = missing_study_note(ctx.data_dir, kStudy, "train.jsonl with eval points");
    return out;
  }
  out.table.columns = {"model", "examples_seen", "eval_length", "seeds", "mean_string_accuracy",
                       "low",   "high",          "interval"};
  const auto models = model_order(runs);
  for (const auto& model : models)
    for (const auto& [key, values] : accuracies) {
      if (key.first != model) continue;
      const auto m = mean_over_seeds(values, samples[key]);
      out.table.add_row(
          {model, num(key.second), num(eval_length), num(m.seeds), num(m.mean), num(m.low), num(m.high), m.interval});
    }

  out.plot.title = "String accuracy at length " + std::to_string(eval_length) +
                   " against training examples seen (copy task, mean over seeds)";
  Panel panel;
  panel.xlabel = "training examples seen (steps × batch)";
  panel.ylabel = "string accuracy (95% interval)";
  // The legend in a strip above accuracy 1, inside the frame (outside it squeezed the plot).
  key_above_data(panel);
  std::int64_t least = accuracies.begin()->first.second, most = least;
  for (const auto& [key, values] : accuracies) least = std::min(least, key.second), most = std::max(most, key.second);
  // Log scale once the examples span a decade (a log axis inside one decade gets no labels).
  panel.logx = most >= 10 * least;
  panel.extra.push_back("set xrange [" + num(0.8 * double(least)) + ":" + num(1.25 * double(most)) + "]");
  for (const auto& model : models) {
    const std::string is_model = text_equals("model", model);
    panel.series.push_back({"", using_of({col("examples_seen"), where(is_model, "low"), where(is_model, "high")}),
                            "filledcurves fs transparent solid 0.2 noborder " + model_colour(model)});
    panel.series.push_back({model_label(runs, model),
                            using_of({col("examples_seen"), where(is_model, "mean_string_accuracy")}),
                            "linespoints lw 2 pt 7 ps 0.6 " + model_colour(model)});
  }
  out.plot.panels.push_back(std::move(panel));
  return out;
}

}  // namespace

Figure trained_sample_efficiency_figure() {
  return {"trained-sample-efficiency",
          "String accuracy on fresh strings of the longest training length (study copy-seeds-5k), measured at the eval "
          "points of "
          "training, against the number of training examples seen (step × batch): mean over seeds with a 95% "
          "interval (Student t over seeds; Wilson for a single seed).",
          "The paper's trained comparison (sample efficiency): the transformer learns to copy from fewer examples",
          true,
          make,
          kStudy};
}

}  // namespace copyproof::figures
