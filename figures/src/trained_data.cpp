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

std::string missing_study_note(const fs::path& data_dir, const std::string& study, const std::string& file) {
  return "no " + file + " under " + (data_dir / study).string() + "/<run>/: run the `" + study +
         "` study (docs/results.md) to draw it";
}

}  // namespace copyproof::figures
