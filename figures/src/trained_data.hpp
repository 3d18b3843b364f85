#pragma once
// Reading committed study results (the layout docs/results.md describes):
//   DIR/<study>/<run>/config.json    {"study","run","model","seed",("pos"),"train": train --json}
//   DIR/<study>/<run>/train.jsonl    train --log lines (eval points carry "eval")
//   DIR/<study>/<run>/eval.json      eval --json on the copy task
//   DIR/<study>/<run>/eval-dup.json  {"results": [eval --task dup --json, one per n]}
// and the statistics the trained figures draw: a mean over seeds with its 95% interval.

#include <nlohmann/json.hpp>

#include "copyproof/figures/figure.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace copyproof::figures {

// The study the trained figures draw: copy-seeds-5k, the one with runs of all three models
// (copy-seeds, at the default budget, has two transformer seeds only; docs/trained.md
// tabulates both).
inline const std::string kCopyStudy = "copy-seeds-5k";

struct StudyRun {
  std::string run, model;
  std::int64_t seed = 0;
  nlohmann::json config;                   // config.json
  std::optional<nlohmann::json> eval;      // eval.json
  std::optional<nlohmann::json> eval_dup;  // eval-dup.json
  std::vector<nlohmann::json> log;         // train.jsonl, one object a line
};

// Every run of DIR/<study>/ (sorted by model order, then seed). Runs without a readable
// config.json are left out; a file that exists but is not valid JSON, or does not fit the
// layout (trained/result_files.hpp: every key the figures read, its type and range),
// throws std::runtime_error naming it. What this returns, the figures read without failing.
std::vector<StudyRun> load_study(const std::filesystem::path& data_dir, const std::string& study);

// Models in drawing order: transformer, mamba, lstm, then any other in name order.
std::vector<std::string> model_order(const std::vector<StudyRun>& runs);
// Same colour for a model in every trained figure.
std::string model_colour(const std::string& model);
// "transformer (Hard-ALiBi)" when the config names the positional scheme.
std::string model_label(const std::vector<StudyRun>& runs, const std::string& model);

// Mean of per-seed accuracies with a 95% interval, clipped to [0, 1]:
//  - two or more seeds: Student-t interval over seeds, mean +- t_{0.975, k-1} s / sqrt(k);
//  - one seed: Wilson score interval of its binomial (accuracy * samples successes).
struct SeedMean {
  int seeds = 0;
  double mean = 0, low = 0, high = 0;
  std::string interval;  // "t-95-over-seeds" or "wilson-95-one-seed"
};
SeedMean mean_over_seeds(const std::vector<double>& accuracies, std::int64_t samples_of_single_seed);

// Length generalization, shared by the figures that draw string accuracy against the test
// length (one definition of their rows and their panel): per curve and test length, the
// per-seed string accuracies of the runs' eval.json, and the training lengths.
struct LengthCurves {
  std::map<std::pair<std::string, int>, std::vector<double>> accuracies;  // (curve, length) -> one per seed
  std::map<std::pair<std::string, int>, std::int64_t> samples;            // strings per length (one seed)
  int train_min = 0, train_max = 0;                                       // from eval.json's "trained_lengths"
  std::vector<std::string> curves() const;                                // in name order
  int seeds(const std::string& curve) const;                              // most seeds at any length
  int shortest() const, longest() const;                                  // test lengths
};
// `curve_of(run)` names a run's curve (empty: the run is left out).
LengthCurves collect_length_curves(const std::vector<StudyRun>& runs,
                                   const std::function<std::string(const StudyRun&)>& curve_of);

// The CSV of a length-generalization figure: `curve_column` (e.g. "model"), length, seeds,
// mean_string_accuracy, low, high, interval, train_min_length, train_max_length; a row per
// (curve, length) for the curves in `order`.
std::vector<std::string> length_columns(const std::string& curve_column);
void add_length_rows(Table& table, const LengthCurves& curves, const std::vector<std::string>& order);

// How one curve is drawn: legend title, colour (a gnuplot "lc ..." spec), point type and
// dash type, so that curves that coincide stay told apart.
struct CurveStyle {
  std::string curve, title, colour;
  int point = 7, dash = 1;
};
// A log-x panel of string accuracy against test length: per curve a 95% band and the mean,
// the training lengths shaded, the legend in a strip above accuracy 1 (key_above_data).
Panel length_panel(const LengthCurves& curves, const std::string& curve_column, const std::vector<CurveStyle>& styles);

// An accuracy panel's legend inside the frame without covering data: the y axis runs to
// `top` (> 1) with tics only on [0, 1], and the key is one row in the empty strip above 1.
void key_above_data(Panel& panel, double top = 1.3);

// Sample efficiency, shared by the figures that draw it for different studies: string
// accuracy at the eval points of the training logs (the longest training length) against
// examples seen (step x batch), per model, mean over seeds with a 95% interval; the CSV
// columns model, examples_seen, eval_length, seeds, mean_string_accuracy, low, high, interval.
FigureOutput sample_efficiency_output(const FigureContext& ctx, const std::string& study);

// The one-line skip note for a figure whose study data is missing.
std::string missing_study_note(const std::filesystem::path& data_dir, const std::string& study,
                               const std::string& file);

}  // namespace copyproof::figures
