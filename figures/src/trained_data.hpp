#pragma once
// Reading committed study results (the layout docs/results.md describes):
//   DIR/<study>/<run>/config.json    {"study","run","model","seed",("pos"),"train": train --json}
//   DIR/<study>/<run>/train.jsonl    train --log lines (eval points carry "eval")
//   DIR/<study>/<run>/eval.json      eval --json on the copy task
//   DIR/<study>/<run>/eval-dup.json  {"results": [eval --task dup --json, one per n]}
// and the statistics the trained figures draw: a mean over seeds with its 95% interval.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
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

// The one-line skip note for a figure whose study data is missing.
std::string missing_study_note(const std::filesystem::path& data_dir, const std::string& study,
                               const std::string& file);

}  // namespace copyproof::figures
