// Loading committed study runs and their statistics (trained_data.hpp).

#include "trained_data.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <stdexcept>

#include "copyproof/common/json_parse.hpp"
#include "copyproof/figures/figure.hpp"
#include "copyproof/ssm_bounds/ngram_probability.hpp"
#include "copyproof/trained/result_files.hpp"
#include "copyproof/trained/study_summary.hpp"
#include "plot_helpers.hpp"

namespace copyproof::figures {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The document in `path` (nullopt when absent), checked against the study layout
// (trained/result_files.hpp) so that the figures' reads below cannot fail or overflow.
std::optional<json> read_json(const fs::path& path, void (*check)(const json&, const std::string&)) {
  auto j = trained::read_result_json(path);
  if (j) check(*j, path.string());
  return j;
}

int model_rank(const std::string& model) {
  static const std::vector<std::string> known = {"transformer", "mamba", "lstm"};
  const auto it = std::find(known.begin(), known.end(), model);
  return static_cast<int>(it - known.begin());
}

}  // namespace

std::vector<StudyRun> load_study(const fs::path& data_dir, const std::string& study) {
  std::vector<StudyRun> runs;
  const fs::path root = data_dir / study;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return runs;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.is_directory()) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());  // directory order is not stable across machines
  for (const auto& dir : dirs) {
    auto config = read_json(dir / "config.json", trained::check_config_json);
    if (!config) continue;
    StudyRun run;
    run.run = config->value("run", dir.filename().string());
    run.model = config->value("model", std::string());
    run.seed = config->value("seed", std::int64_t{0});
    run.config = *config;
    run.eval = read_json(dir / "eval.json", trained::check_eval_json);
    run.eval_dup = read_json(dir / "eval-dup.json", trained::check_dup_json);
    std::ifstream log(dir / "train.jsonl");
    std::int64_t line_number = 0;
    for (std::string line; std::getline(log, line);) {
      ++line_number;
      if (line.empty()) continue;
      const std::string where = (dir / "train.jsonl").string() + ":" + std::to_string(line_number);
      try {
        run.log.push_back(parse_outside_json(line));
      } catch (const json::exception&) {
        throw std::runtime_error(where + " is not valid JSON");
      }
      trained::check_train_log_line(run.log.back(), where);
    }
    if (!run.model.empty()) runs.push_back(std::move(run));
  }
  std::stable_sort(runs.begin(), runs.end(), [](const StudyRun& a, const StudyRun& b) {
    const int ra = model_rank(a.model), rb = model_rank(b.model);
    if (ra != rb) return ra < rb;
    if (a.model != b.model) return a.model < b.model;
    return a.seed < b.seed;
  });
  return runs;
}

void check_study_data(const fs::path& data_dir, const std::string& study) { (void)load_study(data_dir, study); }

std::vector<std::string> model_order(const std::vector<StudyRun>& runs) {
  std::vector<std::string> models;
  for (const auto& run : runs)
    if (std::find(models.begin(), models.end(), run.model) == models.end()) models.push_back(run.model);
  return models;
}

std::string model_colour(const std::string& model) {
  static const std::map<std::string, std::string> colours = {
      {"transformer", "#0072B2"}, {"mamba", "#D55E00"}, {"lstm", "#009E73"}};
  const auto it = colours.find(model);
  return "lc rgb '" + (it == colours.end() ? std::string("#CC79A7") : it->second) + "'";
}

std::string model_label(const std::vector<StudyRun>& runs, const std::string& model) {
  for (const auto& run : runs)
    if (run.model == model && run.config.contains("pos") && run.config["pos"].is_string())
      return model + " (" + run.config["pos"].get<std::string>() + ")";
  return model;
}

SeedMean mean_over_seeds(const std::vector<double>& accuracies, std::int64_t samples_of_single_seed) {
  SeedMean m;
  m.seeds = static_cast<int>(accuracies.size());
  if (accuracies.empty()) return m;
  double sum = 0;
  for (double a : accuracies) sum += a;
  m.mean = sum / m.seeds;
  if (m.seeds == 1) {
    const auto n = static_cast<std::uint64_t>(std::max<std::int64_t>(1, samples_of_single_seed));
    const auto hits = static_cast<std::uint64_t>(std::llround(m.mean * double(n)));
    std::tie(m.low, m.high) = ssm_bounds::wilson_interval_95(hits, n);
    m.interval = "wilson-95-one-seed";
    return m;
  }
  // The same interval as `copyproof study --summary` (one definition: study_summary.hpp).
  const trained::MeanInterval t = trained::accuracy_mean_t95(accuracies);
  m.low = *t.low;
  m.high = *t.high;
  m.interval = "t-95-over-seeds";
  return m;
}

std::vector<std::string> LengthCurves::curves() const {
  std::vector<std::string> names;
  for (const auto& [key, values] : accuracies)
    if (names.empty() || names.back() != key.first) names.push_back(key.first);
  return names;
}

int LengthCurves::seeds(const std::string& curve) const {
  int most = 0;
  for (const auto& [key, values] : accuracies)
    if (key.first == curve) most = std::max(most, static_cast<int>(values.size()));
  return most;
}

int LengthCurves::shortest() const {
  int l = accuracies.empty() ? 0 : accuracies.begin()->first.second;
  for (const auto& [key, values] : accuracies) l = std::min(l, key.second);
  return l;
}

int LengthCurves::longest() const {
  int l = 0;
  for (const auto& [key, values] : accuracies) l = std::max(l, key.second);
  return l;
}

LengthCurves collect_length_curves(const std::vector<StudyRun>& runs,
                                   const std::function<std::string(const StudyRun&)>& curve_of) {
  LengthCurves c;
  for (const auto& run : runs) {
    const std::string curve = curve_of(run);
    if (!run.eval || curve.empty()) continue;
    if (c.train_max == 0 && run.eval->contains("trained_lengths")) {
      c.train_min = (*run.eval)["trained_lengths"].at(0).get<int>();
      c.train_max = (*run.eval)["trained_lengths"].at(1).get<int>();
    }
    for (const auto& r : run.eval->at("results")) {
      const auto key = std::make_pair(curve, r.at("length").get<int>());
      c.accuracies[key].push_back(r.at("string_accuracy").get<double>());
      c.samples[key] = r.at("samples").get<std::int64_t>();
    }
  }
  return c;
}

std::vector<std::string> length_columns(const std::string& curve_column) {
  return {curve_column, "length",           "seeds",           "mean_string_accuracy", "low", "high",
          "interval",   "train_min_length", "train_max_length"};
}

void add_length_rows(Table& table, const LengthCurves& curves, const std::vector<std::string>& order) {
  for (const auto& curve : order)
    for (const auto& [key, values] : curves.accuracies) {
      if (key.first != curve) continue;
      const auto m = mean_over_seeds(values, curves.samples.at(key));
      table.add_row({curve, num(key.second), num(m.seeds), num(m.mean), num(m.low), num(m.high), m.interval,
                     num(curves.train_min), num(curves.train_max)});
    }
}

void key_above_data(Panel& panel, double top) {
  // At the default 650-pixel height a key row takes ~0.06 of accuracy: the strip holds two
  // rows (gnuplot wraps three or four long titles) and, below them, the training-lengths label.
  panel.yrange = "[-0.02:" + num(top) + "]";
  panel.extra.push_back("set ytics 0, 0.2, 1");
  panel.key = "inside center top horizontal Left reverse spacing 1.2 box opaque";
}

Panel length_panel(const LengthCurves& curves, const std::string& curve_column, const std::vector<CurveStyle>& styles) {
  Panel panel;
  panel.xlabel = "test string length (letters)";
  panel.ylabel = "string accuracy (mean over seeds, 95% interval)";
  panel.logx = true;
  key_above_data(panel);
  const std::string from = std::to_string(curves.train_min), to = std::to_string(curves.train_max);
  panel.extra.push_back("set object 1 rect from " + from + ", graph 0 to " + to +
                        ", graph 1 behind fc rgb '#eeeeee' fs solid 1.0 noborder");
  // In the empty strip between accuracy 1 and the key, where it covers no curve and no band.
  panel.extra.push_back("set label 1 ' training lengths' at " + from + ", first 1.07 left front");
  panel.extra.push_back("set xrange [" + num(0.8 * curves.shortest()) + ":" + num(1.25 * curves.longest()) + "]");
  for (const auto& style : styles) {
    const int seeds = curves.seeds(style.curve);
    if (seeds == 0) continue;
    const std::string is_curve = text_equals(curve_column, style.curve);
    panel.series.push_back({"", using_of({col("length"), where(is_curve, "low"), where(is_curve, "high")}),
                            "filledcurves fs transparent solid 0.15 noborder " + style.colour});
    panel.series.push_back({style.title + " (" + std::to_string(seeds) + (seeds == 1 ? " seed)" : " seeds)"),
                            using_of({col("length"), where(is_curve, "mean_string_accuracy")}),
                            "linespoints lw 2 dt " + std::to_string(style.dash) + " pt " + std::to_string(style.point) +
                                " ps 1.2 " + style.colour});
  }
  return panel;
}

FigureOutput sample_efficiency_output(const FigureContext& ctx, const std::string& study) {
  FigureOutput out;
  const auto runs = load_study(ctx.data_dir, study);
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
    out.skipped = missing_study_note(ctx.data_dir, study, "train.jsonl with eval points");
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
                   " against training examples seen (copy task, study " + study + ", mean over seeds)";
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
  // An open point type and a dash type per model: models that never learn lie on 0 together
  // (sample-efficiency's LSTM and Mamba), where the shapes and the gaps keep both visible.
  for (std::size_t i = 0; i < models.size(); ++i) {
    const std::string& model = models[i];
    const std::string is_model = text_equals("model", model);
    const int point = 4 + 2 * static_cast<int>(i % 3);  // open square, circle, triangle
    const int dash = 1 + static_cast<int>(i);
    panel.series.push_back({"", using_of({col("examples_seen"), where(is_model, "low"), where(is_model, "high")}),
                            "filledcurves fs transparent solid 0.2 noborder " + model_colour(model)});
    panel.series.push_back({model_label(runs, model),
                            using_of({col("examples_seen"), where(is_model, "mean_string_accuracy")}),
                            "linespoints lw 2 dt " + std::to_string(dash) + " pt " + std::to_string(point) +
                                " ps 1.1 " + model_colour(model)});
  }
  out.plot.panels.push_back(std::move(panel));
  return out;
}

std::string missing_study_note(const fs::path& data_dir, const std::string& study, const std::string& file) {
  return "no " + file + " under " + (data_dir / study).string() + "/<run>/: run the `" + study +
         "` study (docs/results.md) to draw it";
}

}  // namespace copyproof::figures
