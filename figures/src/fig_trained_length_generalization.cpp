// trained-length-generalization: string accuracy of the trained transformer, Mamba and
// LSTM (study copy-seeds-5k) against the test length, mean over seeds with a 95% interval,
// the training lengths shaded. Data: DIR/copy-seeds-5k/<run>/eval.json.

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
  // (model, length) -> per-seed accuracies, and samples per seed
  std::map<std::pair<std::string, int>, std::vector<double>> accuracies;
  std::map<std::pair<std::string, int>, std::int64_t> samples;
  int train_min = 0, train_max = 0;
  for (const auto& run : runs) {
    if (!run.eval) continue;
    if (train_max == 0 && run.eval->contains("trained_lengths")) {
      train_min = (*run.eval)["trained_lengths"].at(0).get<int>();
      train_max = (*run.eval)["trained_lengths"].at(1).get<int>();
    }
    for (const auto& r : run.eval->at("results")) {
      const auto key = std::make_pair(run.model, r.at("length").get<int>());
      accuracies[key].push_back(r.at("string_accuracy").get<double>());
      samples[key] = r.at("samples").get<std::int64_t>();
    }
  }
  if (accuracies.empty()) {
    out.skipped = missing_study_note(ctx.data_dir, kStudy, "eval.json");
    return out;
  }
  out.table.columns = {"model",    "length",           "seeds",           "mean_string_accuracy", "low", "high",
                       "interval", "train_min_length", "train_max_length"};
  const auto models = model_order(runs);
  for (const auto& model : models)
    for (const auto& [key, values] : accuracies) {
      if (key.first != model) continue;
      const auto m = mean_over_seeds(values, samples[key]);
      out.table.add_row({model, num(key.second), num(m.seeds), num(m.mean), num(m.low), num(m.high), m.interval,
                         num(train_min), num(train_max)});
    }

  out.plot.title = "Past the training lengths (" + std::to_string(train_min) + "-" + std::to_string(train_max) +
                   "): which trained models keep copying? (paper: the transformer, not fixed-state models)";
  int shortest = accuracies.begin()->first.second, longest = shortest;
  for (const auto& [key, values] : accuracies)
    shortest = std::min(shortest, key.second), longest = std::max(longest, key.second);
  Panel panel;
  panel.xlabel = "test string length (letters)";
  panel.ylabel = "string accuracy (mean over seeds, 95% interval)";
  panel.logx = true;
  panel.yrange = "[-0.02:1.05]";
  panel.key = "outside right top vertical Left reverse spacing 1.2";
  panel.extra = {"set object 1 rect from " + std::to_string(train_min) + ", graph 0 to " + std::to_string(train_max) +
                     ", graph 1 behind fc rgb '#eeeeee' fs solid 1.0 noborder",
                 "set label 1 ' training lengths' at " + std::to_string(train_min) + ", graph 0.97 left front",
                 "set xrange [" + num(0.8 * shortest) + ":" + num(1.25 * longest) + "]"};
  for (const auto& model : models) {
    const std::string is_model = text_equals("model", model);
    panel.series.push_back({"", using_of({col("length"), where(is_model, "low"), where(is_model, "high")}),
                            "filledcurves fs transparent solid 0.2 noborder " + model_colour(model)});
    panel.series.push_back({model_label(runs, model),
                            using_of({col("length"), where(is_model, "mean_string_accuracy")}),
                            "linespoints lw 2 pt 7 " + model_colour(model)});
  }
  out.plot.panels.push_back(std::move(panel));
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
