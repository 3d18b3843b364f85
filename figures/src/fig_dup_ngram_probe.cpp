// dup-ngram-probe: string accuracy of the copy-trained models on strings with a
// duplicated n-gram (`eval --task dup`), against n, mean over seeds with a 95% interval.
// Data: DIR/copy-seeds-5k/<run>/eval-dup.json.

#include <algorithm>
#include <map>
#include <tuple>

#include "copyproof/figures/figure.hpp"
#include "plot_helpers.hpp"
#include "trained_data.hpp"

namespace copyproof::figures {
namespace {

const std::string& kStudy = kCopyStudy;

FigureOutput make(const FigureContext& ctx) {
  FigureOutput out;
  const auto runs = load_study(ctx.data_dir, kStudy);
  using Key = std::tuple<std::string, int, int>;  // model, test length, n
  std::map<Key, std::vector<double>> accuracies;
  std::map<Key, std::int64_t> samples;
  std::vector<int> lengths;
  for (const auto& run : runs) {
    if (!run.eval_dup || !run.eval_dup->contains("results")) continue;
    for (const auto& probe : (*run.eval_dup)["results"]) {
      const int ngram = probe.at("ngram").get<int>();
      for (const auto& r : probe.at("results")) {
        const int length = r.at("length").get<int>();
        if (std::find(lengths.begin(), lengths.end(), length) == lengths.end()) lengths.push_back(length);
        const Key key{run.model, length, ngram};
        accuracies[key].push_back(r.at("string_accuracy").get<double>());
        samples[key] = r.at("samples").get<std::int64_t>();
      }
    }
  }
  if (accuracies.empty()) {
    out.skipped = missing_study_note(ctx.data_dir, kStudy, "eval-dup.json");
    return out;
  }
  std::sort(lengths.begin(), lengths.end());
  out.table.columns = {"model", "length", "ngram", "seeds", "mean_string_accuracy", "low", "high", "interval"};
  const auto models = model_order(runs);
  for (const auto& model : models)
    for (const auto& [key, values] : accuracies) {
      if (std::get<0>(key) != model) continue;
      const auto m = mean_over_seeds(values, samples[key]);
      out.table.add_row({model, num(std::get<1>(key)), num(std::get<2>(key)), num(m.seeds), num(m.mean), num(m.low),
                         num(m.high), m.interval});
    }

  out.plot.title = "Strings with a duplicated n-gram: where the trained models' copying breaks (n-gram probe)";
  Panel panel;
  panel.xlabel = "length n of the duplicated n-gram (letters)";
  panel.ylabel = "string accuracy (mean over seeds, 95% interval)";
  // The legend in a strip above accuracy 1, inside the frame (outside it squeezed the plot).
  key_above_data(panel);
  panel.extra.insert(panel.extra.end(), {"set xtics 1", "set offsets 0.5, 0.5, 0, 0"});
  const std::vector<std::string> dash = {"", "dt 2 ", "dt 3 ", "dt 4 "};
  for (const auto& model : models)
    for (std::size_t l = 0; l < lengths.size(); ++l) {
      const std::string cond = text_equals("model", model) + " && " + equals("length", std::to_string(lengths[l]));
      panel.series.push_back({model_label(runs, model) + ", L = " + std::to_string(lengths[l]),
                              using_of({col("ngram"), where(cond, "mean_string_accuracy"), col("low"), col("high")}),
                              "yerrorlines lw 2 pt 7 " + dash[l % dash.size()] + model_colour(model)});
    }
  out.plot.panels.push_back(std::move(panel));
  return out;
}

}  // namespace

Figure dup_ngram_probe_figure() {
  return {"dup-ngram-probe",
          "String accuracy of the copy-trained models (study copy-seeds-5k) on strings in which an n-gram occurs "
          "twice, against n: mean "
          "over seeds with a 95% interval (Student t over seeds; Wilson for a single seed).",
          "The paper's mechanism probe: a learned n-gram lookup fails when the n-gram it keys on repeats",
          true,
          make,
          kStudy};
}

}  // namespace copyproof::figures
