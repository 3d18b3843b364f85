#include <copyproof/trained/study_summary.hpp>

#include <copyproof/common/json_parse.hpp>
#include <copyproof/ssm_bounds/copy_error_bound.hpp>
#include <copyproof/trained/result_files.hpp>
#include <copyproof/trained/tasks.hpp>

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <stdexcept>

namespace copyproof::trained {

MeanInterval mean_t95(const std::vector<double>& values, double floor, double ceiling) {
  MeanInterval r;
  r.n = static_cast<int>(values.size());
  if (r.n == 0) return r;
  double sum = 0;
  for (double v : values) sum += v;
  r.mean = sum / r.n;
  if (r.n < 2) return r;
  double sq = 0;
  for (double v : values) sq += (v - r.mean) * (v - r.mean);
  const double sd = std::sqrt(sq / (r.n - 1));
  const double t = boost::math::quantile(boost::math::students_t(r.n - 1), 0.975);
  const double half = t * sd / std::sqrt(static_cast<double>(r.n));
  r.low = std::max(floor, r.mean - half);
  r.high = std::min(ceiling, r.mean + half);
  return r;
}

std::optional<std::int64_t> examples_to_reach(const std::filesystem::path& train_log, double threshold, int batch) {
  std::ifstream in(train_log);
  if (!in) throw std::runtime_error("cannot read " + train_log.string());
  std::string line;
  for (std::int64_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::string where = train_log.string() + ":" + std::to_string(number);
    nlohmann::json j;
    try {
      j = parse_outside_json(line);
    } catch (const nlohmann::json::exception&) {
      throw ResultFileError(where + ": not valid JSON");
    }
    check_train_log_line(j, where);  // step <= 2^31 and batch <= 2^31: the product fits
    if (j.contains("eval") && j["eval"]["string_accuracy"].get<double>() >= threshold)
      return j["step"].get<std::int64_t>() * batch;
  }
  return std::nullopt;
}

int longest_copied_length(const nlohmann::json& eval) {
  int longest = 0;
  for (const auto& r : eval.at("results"))
    if (r.at("string_accuracy").get<double>() >= 0.5) longest = std::max(longest, r.at("length").get<int>());
  return longest;
}

std::int64_t bound_longest_length(std::int64_t bits, int alphabet) {
  const auto states = ssm_bounds::state_of_bits(ssm_bounds::cpp_rational(bits));
  return ssm_bounds::max_copy_length(states, alphabet, ssm_bounds::cpp_rational(1, 2)).convert_to<std::int64_t>();
}

namespace {

// The document in `file`, checked by `check` (result_files.hpp) before any reader sees it.
nlohmann::json read_json(const std::filesystem::path& file, void (*check)(const nlohmann::json&, const std::string&)) {
  auto j = read_result_json(file);
  if (!j) throw ResultFileError("cannot read " + file.string());
  check(*j, file.string());
  return *j;
}

nlohmann::json to_json(const MeanInterval& m) {
  nlohmann::json j = {{"n", m.n}, {"mean", m.mean}, {"low", nullptr}, {"high", nullptr}};
  if (m.low) j["low"] = *m.low, j["high"] = *m.high;
  return j;
}

// Examples needed to reach a threshold: the interval is over the seeds that reached it;
// "reached" says how many of them did (a seed that never reaches it is not averaged in).
nlohmann::json examples_summary(const std::vector<std::optional<std::int64_t>>& per_seed) {
  std::vector<double> reached;
  for (const auto& e : per_seed)
    if (e) reached.push_back(static_cast<double>(*e));
  nlohmann::json j = to_json(mean_t95(reached, 0.0));  // a count of examples is >= 0
  j["reached"] = reached.size();
  j["runs"] = per_seed.size();
  return j;
}

}  // namespace

nlohmann::json study_summary(const Study& study, const std::filesystem::path& data_dir) {
  struct Group {
    std::vector<std::string> runs, missing;
    std::map<int, std::vector<double>> string_acc, token_acc;
    std::map<int, std::vector<double>> dup_string_acc;
    std::vector<std::optional<std::int64_t>> to_09, to_099;
    std::vector<double> final_loss, seconds;
    nlohmann::json model;  // describe_model of the first run
    std::vector<int> longest;
    nlohmann::json pigeonhole = nlohmann::json::array();  // every run's entries, with its run name
    std::map<int, std::vector<int>> quantized_longest;    // bits -> longest copied per seed
    std::vector<std::optional<int>> fewest_bits;          // per seed (nullopt: copies no length, or never as far)
    bool quantized_holds = true;                          // every entry: copied strings <= distinct states
    std::optional<int> alphabet;                          // D of the runs' eval.json (26 when absent)
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  for (const StudyRun& run : study.runs) {
    if (!groups.count(run.group)) order.push_back(run.group);
    Group& g = groups[run.group];
    const auto dir = data_dir / study.name / run.name;
    if (!run_finished(dir, run)) {
      g.missing.push_back(run.name);
      continue;
    }
    g.runs.push_back(run.name);
    // Every file is checked on reading (types and ranges); a key the summary needs and
    // the file lacks surfaces as nlohmann's out_of_range, turned into an error naming the run.
    try {
      const auto config = read_json(dir / kConfigFile, check_config_json);
      const auto eval = read_json(dir / kEvalFile, check_eval_json);
      const int batch = config.at("train").at("batch").get<int>();
      for (const auto& r : eval.at("results")) {
        g.string_acc[r.at("length").get<int>()].push_back(r.at("string_accuracy").get<double>());
        g.token_acc[r.at("length").get<int>()].push_back(r.at("token_accuracy").get<double>());
      }
      g.to_09.push_back(examples_to_reach(dir / kTrainLogFile, 0.9, batch));
      g.to_099.push_back(examples_to_reach(dir / kTrainLogFile, 0.99, batch));
      g.final_loss.push_back(config.at("train").at("final_loss").get<double>());
      g.seconds.push_back(config.at("train").at("seconds").get<double>());
      g.longest.push_back(longest_copied_length(eval));
      // Theorem 2.7's limit depends on D: every run of a group (and its quantized file) must
      // have been evaluated over the same letters, or one limit would not fit them all.
      const int alphabet = alphabet_of_result(eval);
      if (g.alphabet && *g.alphabet != alphabet)
        throw ResultFileError(dir.string() + ": eval.json has \"alphabet\" " + std::to_string(alphabet) +
                              ", another run of group " + run.group + " " + std::to_string(*g.alphabet));
      g.alphabet = alphabet;
      if (g.model.is_null())
        g.model = {{"model", eval.at("model")},
                   {"params", eval.at("params")},
                   {"state_numbers", eval.at("state_numbers")},
                   {"config", eval.at("config")},
                   {"trained_lengths", eval.at("trained_lengths")}};
      // (Each file is held in a local: a range-for over a member of a temporary would dangle.)
      if (!run.pigeonhole_lengths.empty()) {
        const auto file = read_json(dir / kPigeonholeFile, check_pigeonhole_json);
        for (auto p : file.at("pigeonhole")) {
          p["run"] = run.name;
          g.pigeonhole.push_back(p);
        }
      }
      if (!run.quantized_bits.empty()) {
        // Longest length copied (string accuracy >= 1/2) with the state quantized to q bits.
        const auto file = read_json(dir / kQuantizedFile, check_quantized_json);
        if (alphabet_of_result(file) != alphabet)
          throw ResultFileError((dir / kQuantizedFile).string() + ": \"alphabet\" " +
                                std::to_string(alphabet_of_result(file)) + " differs from eval.json's " +
                                std::to_string(alphabet));
        std::map<int, int> longest;
        for (const auto& q : file.at("quantized")) {
          const int bits = q.at("bits").get<int>();
          int& l = longest[bits];
          if (q.at("string_accuracy").get<double>() >= 0.5) l = std::max(l, q.at("length").get<int>());
          g.quantized_holds = g.quantized_holds && q.at("holds").get<bool>();
        }
        std::optional<int> fewest;
        for (const auto& [bits, l] : longest) {  // ascending bits
          g.quantized_longest[bits].push_back(l);
          if (!fewest && g.longest.back() > 0 && l >= g.longest.back()) fewest = bits;
        }
        g.fewest_bits.push_back(fewest);
      }
      if (!run.dup_ngrams.empty()) {
        const auto file = read_json(dir / kDupFile, check_dup_json);
        for (const auto& probe : file.at("results"))
          g.dup_string_acc[probe.at("ngram").get<int>()].push_back(
              probe.at("results").at(0).at("string_accuracy").get<double>());
      }
    } catch (const nlohmann::json::exception& e) {
      throw ResultFileError(dir.string() + ": " + e.what());
    }
  }

  nlohmann::json out = {{"study", study.name},
                        {"description", study.description},
                        {"interval",
                         "95% Student-t interval of the mean across seeds (t_{0.975,n-1} s/sqrt(n)), clipped to the "
                         "quantity's range ([0, 1] for accuracies); null with fewer than 2 finished seeds"},
                        {"groups", nlohmann::json::array()}};
  for (const auto& name : order) {
    const Group& g = groups.at(name);
    nlohmann::json j = {{"group", name}, {"finished", g.runs}, {"missing", g.missing}, {"model", g.model}};
    nlohmann::json lengths = nlohmann::json::array();
    for (const auto& [length, values] : g.string_acc)
      lengths.push_back({{"length", length},
                         {"string_accuracy", to_json(accuracy_mean_t95(values))},
                         {"token_accuracy", to_json(accuracy_mean_t95(g.token_acc.at(length)))}});
    j["lengths"] = lengths;
    j["examples_to_0.9"] = examples_summary(g.to_09);
    j["examples_to_0.99"] = examples_summary(g.to_099);
    j["final_loss"] = to_json(mean_t95(g.final_loss, 0.0));  // cross-entropy >= 0
    j["train_seconds"] = to_json(mean_t95(g.seconds, 0.0));
    if (!g.dup_string_acc.empty()) {
      nlohmann::json dup = nlohmann::json::array();
      for (const auto& [n, values] : g.dup_string_acc)
        dup.push_back({{"ngram", n}, {"string_accuracy", to_json(accuracy_mean_t95(values))}});
      j["dup_probe"] = dup;
    }
    // Against Theorem 2.7: a fixed state of N float32 numbers has at most 2^(32 N) values.
    if (!g.runs.empty() && g.model.at("state_numbers").is_number()) {
      const std::int64_t bits = 32 * g.model.at("state_numbers").get<std::int64_t>();
      const int alphabet = g.alphabet.value_or(kDefaultAlphabet);
      const std::int64_t bound = bound_longest_length(bits, alphabet);
      j["alphabet"] = alphabet;
      j["state_bits_32"] = bits;
      j["bound_longest_length_32"] = bound;
      j["longest_copied_length"] = g.longest;
      bool beats = false;
      for (int l : g.longest) beats = beats || l > bound;
      if (!g.quantized_longest.empty()) {
        // The same bound at q bits per number: a grid of 2^q levels gives at most 2^(q N) states.
        const std::int64_t numbers = g.model.at("state_numbers").get<std::int64_t>();
        nlohmann::json quantized = nlohmann::json::array();
        for (const auto& [q, longest] : g.quantized_longest) {
          const std::int64_t q_bound = bound_longest_length(q * numbers, alphabet);
          for (int l : longest) beats = beats || l > q_bound;
          quantized.push_back({{"bits", q},
                               {"state_bits", q * numbers},
                               {"longest_copied_length", longest},
                               {"bound_longest_length", q_bound}});
        }
        j["quantized"] = quantized;
        nlohmann::json fewest = nlohmann::json::array(), fewest_bound = nlohmann::json::array();
        for (const auto& f : g.fewest_bits) {
          fewest.push_back(f ? nlohmann::json(*f) : nlohmann::json());
          fewest_bound.push_back(f ? nlohmann::json(bound_longest_length(*f * numbers, alphabet)) : nlohmann::json());
        }
        j["fewest_bits_copying"] = fewest;
        j["bound_at_fewest_bits"] = fewest_bound;
        j["quantized_fails"] = !g.quantized_holds;
      }
      j["beats_bound"] = beats;
    } else if (!g.runs.empty()) {
      j["longest_copied_length"] = g.longest;
    }
    if (!g.pigeonhole.empty()) {
      // Theorem 2.7's argument: answers are a function of the quantized state, so more
      // strings copied than distinct states is impossible.
      bool fails = false;
      for (const auto& p : g.pigeonhole)
        fails = fails || p.at("copied").get<std::int64_t>() > p.at("distinct_states").get<std::int64_t>();
      j["pigeonhole"] = g.pigeonhole;
      j["pigeonhole_fails"] = fails;
    }
    out["groups"].push_back(j);
  }
  return out;
}

}  // namespace copyproof::trained
