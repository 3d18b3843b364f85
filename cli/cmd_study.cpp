// `copyproof study`: runs a named grid of train + eval runs (trained/study.hpp), each as
// `copyproof train` and `copyproof eval` child processes on one thread, skipping runs whose
// result files exist; or prints the study's summary computed from those files.

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "cli_support.hpp"
#include "commands.hpp"
#include "copyproof/trained/study.hpp"
#include "copyproof/trained/study_summary.hpp"

extern char** environ;

namespace copyproof::cli {
namespace {

namespace fs = std::filesystem;
using namespace copyproof::trained;

struct StudyOptions {
  std::string name, data = "docs/results/data", checkpoints = "build/study-checkpoints";
  int jobs = 1;
  bool list = false, summary = false, json = false;
};

std::mutex print_mutex;
void say(const std::string& line) {
  std::lock_guard<std::mutex> lock(print_mutex);
  std::fprintf(stderr, "%s\n", line.c_str());
}

// The children running now (pid or 0), so that SIGTERM / SIGINT can stop them: a study
// stopped that way leaves its current runs' temporary files, which the next start removes.
std::array<std::atomic<pid_t>, 256> running_children{};
std::atomic<bool> stop_requested{false};

extern "C" void stop_study(int) {
  stop_requested = true;
  for (auto& pid : running_children)
    if (const pid_t p = pid.load(); p > 0) ::kill(p, SIGTERM);  // async-signal-safe
}

// Runs this executable with `args`, stdout to `out_file` (stderr inherited); true on exit 0.
bool run_child(const std::vector<std::string>& args, const fs::path& out_file) {
  if (stop_requested) return false;
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> all = {self};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  std::atomic<pid_t>* slot = nullptr;
  for (auto& s : running_children) {
    pid_t empty = 0;
    if (s.compare_exchange_strong(empty, pid)) {
      slot = &s;
      break;
    }
  }
  if (stop_requested) ::kill(pid, SIGTERM);  // a signal that came before the slot was filled
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (slot) *slot = 0;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

void write_json(const fs::path& file, const nlohmann::json& j) {
  std::ofstream out(file, std::ios::trunc);
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

fs::path tmp_of(const fs::path& dir, const char* file) { return dir / (std::string(file) + ".tmp"); }

// The evaluations computed from a checkpoint besides eval.json (dup probe, pigeonhole,
// quantized state), each to its .tmp; with `only_missing`, those whose file is absent.
// Returns the files written (to rename), or nullopt when a child failed.
std::optional<std::vector<const char*>> evaluate_extras(const StudyRun& run, const std::string& checkpoint,
                                                        const fs::path& dir, bool only_missing) {
  std::vector<const char*> written;
  auto wanted = [&](const char* file) { return !only_missing || !fs::is_regular_file(dir / file); };
  if (!run.dup_ngrams.empty() && wanted(kDupFile)) {
    nlohmann::json dup = {{"results", nlohmann::json::array()}};
    const fs::path one = dir / "dup-one.json.tmp";
    for (int n : run.dup_ngrams) {
      if (!run_child(dup_arguments(run, checkpoint, n), one)) return std::nullopt;
      dup["results"].push_back(read_json(one));
    }
    fs::remove(one);
    write_json(tmp_of(dir, kDupFile), dup);
    written.push_back(kDupFile);
  }
  if (!run.pigeonhole_lengths.empty() && wanted(kPigeonholeFile)) {
    if (!run_child(pigeonhole_arguments(run, checkpoint), tmp_of(dir, kPigeonholeFile))) return std::nullopt;
    written.push_back(kPigeonholeFile);
  }
  if (!run.quantized_bits.empty() && wanted(kQuantizedFile)) {
    if (!run_child(quantized_arguments(run, checkpoint), tmp_of(dir, kQuantizedFile))) return std::nullopt;
    written.push_back(kQuantizedFile);
  }
  return written;
}

// A finished run (config.json exists) missing a result file added to the study later: the
// missing files are computed from its checkpoint, after checking that the checkpoint is the
// run's own (its eval reproduces the committed eval.json exactly).
bool extend_run(const StudyRun& run, const fs::path& dir, const std::string& checkpoint) {
  if (!fs::is_regular_file(checkpoint)) {
    say("study: " + run.name + " needs a file added to the study, and its checkpoint " + checkpoint +
        " is gone; delete " + (dir / kConfigFile).string() + " to redo the run");
    return false;
  }
  const fs::path eval_tmp = tmp_of(dir, kEvalFile);
  if (!run_child(eval_arguments(run, checkpoint), eval_tmp)) return false;
  const bool same = read_json(eval_tmp).at("results") == read_json(dir / kEvalFile).at("results");
  fs::remove(eval_tmp);
  if (!same) {
    say("study: " + checkpoint + " does not reproduce " + (dir / kEvalFile).string() + "; delete " +
        (dir / kConfigFile).string() + " to redo the run");
    return false;
  }
  const auto written = evaluate_extras(run, checkpoint, dir, true);
  if (!written) return false;
  for (const char* f : *written) fs::rename(tmp_of(dir, f), dir / f);
  return true;
}

// Makes `dir` and its missing parents, or throws UsageError naming `flag`; returns the
// outermost directory it created ("" if none), so a later refusal can remove it again.
fs::path make_directory(const fs::path& dir, const std::string& flag) {
  fs::path outermost;
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    outermost = p;
    if (p == p.parent_path()) break;
  }
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    if (!outermost.empty()) fs::remove_all(outermost, ec);
    throw UsageError(flag + ": cannot create the directory '" + dir.string() + "'");
  }
  return outermost;
}

// One run: every file goes to <name>.tmp first; config.json is renamed last, so a run
// interrupted anywhere leaves no config.json and is redone from scratch.
bool do_run(const Study& study, const StudyRun& run, const StudyOptions& o) {
  const fs::path dir = fs::path(o.data) / study.name / run.name;
  fs::create_directories(dir);
  fs::create_directories(fs::path(o.checkpoints) / study.name);
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".tmp") fs::remove(entry.path());
  const std::string checkpoint = (fs::path(o.checkpoints) / study.name / (run.name + ".safetensors")).string();
  if (fs::is_regular_file(dir / kConfigFile)) return extend_run(run, dir, checkpoint);
  const fs::path log_tmp = tmp_of(dir, kTrainLogFile);
  const fs::path train_tmp = dir / "train.json.tmp";
  if (!run_child(train_arguments(run, checkpoint, log_tmp.string()), train_tmp)) return false;
  const fs::path eval_tmp = tmp_of(dir, kEvalFile);
  if (!run_child(eval_arguments(run, checkpoint), eval_tmp)) return false;
  const auto written = evaluate_extras(run, checkpoint, dir, false);
  if (!written) return false;
  nlohmann::json config = {{"study", study.name}, {"run", run.name}, {"model", run.model}, {"seed", run.seed}};
  if (!run.pos.empty()) config["pos"] = run.pos;
  config["train"] = read_json(train_tmp);
  write_json(tmp_of(dir, kConfigFile), config);
  fs::remove(train_tmp);
  fs::rename(log_tmp, dir / kTrainLogFile);
  fs::rename(eval_tmp, dir / kEvalFile);
  for (const char* f : *written) fs::rename(tmp_of(dir, f), dir / f);
  fs::rename(tmp_of(dir, kConfigFile), dir / kConfigFile);
  return true;
}

int run_study(const StudyOptions& o) {
  if (o.list || o.name.empty()) {
    for (const Study& s : all_studies()) {
      std::size_t done = 0;
      for (const auto& r : s.runs) done += run_finished(fs::path(o.data) / s.name / r.name, r);
      std::printf("%-17s %3zu runs (%zu finished)  %s\n", s.name.c_str(), s.runs.size(), done, s.description.c_str());
      if (o.list && !o.name.empty() && o.name == s.name)
        for (const auto& r : s.runs)
          std::printf("  %-24s %s\n", r.name.c_str(),
                      run_finished(fs::path(o.data) / s.name / r.name, r) ? "finished"
                      : fs::is_regular_file(fs::path(o.data) / s.name / r.name / kConfigFile)
                          ? "to extend (a result file added later)"
                          : "to run");
    }
    return kExitPass;
  }
  const Study* study = find_study(o.name);
  if (!study) {
    std::string names;
    for (const Study& s : all_studies()) names += (names.empty() ? "" : ", ") + s.name;
    throw UsageError("study: '" + o.name + "' is not one of " + names);
  }
  if (o.summary) {
    if (!fs::is_directory(o.data)) throw UsageError("--data: '" + o.data + "' is not a directory");
    nlohmann::json summary;
    try {
      summary = study_summary(*study, o.data);
    } catch (const std::exception& e) {
      throw UsageError(std::string("--data: ") + e.what());
    }
    // A fixed-state point past Theorem 2.7's limit is impossible: it means a bug.
    bool beats = false;
    for (const auto& g : summary["groups"])
      beats = beats || g.value("beats_bound", false) || g.value("pigeonhole_fails", false) ||
              g.value("quantized_fails", false);
    const int code = beats ? kExitFail : kExitPass;
    if (o.json) {
      print_json(summary);
      return code;
    }
    std::printf("%s: %s\n%s\n", study->name.c_str(), study->description.c_str(),
                summary["interval"].get<std::string>().c_str());
    for (const auto& g : summary["groups"]) {
      std::printf("\n%s: %zu finished, %zu missing\n", g["group"].get<std::string>().c_str(), g["finished"].size(),
                  g["missing"].size());
      for (const auto& l : g["lengths"]) {
        const auto& s = l["string_accuracy"];
        std::printf("  length %4d  string acc. %.3f", l["length"].get<int>(), s["mean"].get<double>());
        if (!s["low"].is_null()) std::printf(" [%.3f, %.3f]", s["low"].get<double>(), s["high"].get<double>());
        std::printf("\n");
      }
      for (const char* key : {"examples_to_0.9", "examples_to_0.99"}) {
        const auto& e = g[key];
        std::printf("  %s: reached %d/%d", key, e["reached"].get<int>(), e["runs"].get<int>());
        if (e["n"].get<int>() > 0) std::printf(", mean %.0f", e["mean"].get<double>());
        if (!e["low"].is_null()) std::printf(" [%.0f, %.0f]", e["low"].get<double>(), e["high"].get<double>());
        std::printf("\n");
      }
      if (g.contains("bound_longest_length_32"))
        std::printf("  state %lld bits; longest copied %s; Theorem 2.7 limit %lld (over %d letters)%s\n",
                    g["state_bits_32"].get<long long>(), g["longest_copied_length"].dump().c_str(),
                    g["bound_longest_length_32"].get<long long>(), g["alphabet"].get<int>(),
                    g["beats_bound"].get<bool>() ? "  BEATS THE BOUND" : "");
      if (g.contains("quantized")) {
        for (const auto& q : g["quantized"])
          std::printf("  state quantized to %2d bits/number (%lld bits): longest copied %s; Theorem 2.7 limit %lld\n",
                      q["bits"].get<int>(), q["state_bits"].get<long long>(), q["longest_copied_length"].dump().c_str(),
                      q["bound_longest_length"].get<long long>());
        std::printf("  fewest bits/number still copying as far as float32: %s (limit there %s)%s\n",
                    g["fewest_bits_copying"].dump().c_str(), g["bound_at_fewest_bits"].dump().c_str(),
                    g["quantized_fails"].get<bool>() ? "  MORE COPIED THAN STATES" : "");
      }
      if (g.contains("pigeonhole"))
        for (const auto& p : g["pigeonhole"])
          std::printf("  pigeonhole L %d, q %2d: %lld strings, %lld distinct states, %lld copied%s\n",
                      p["length"].get<int>(), p["bits"].get<int>(), p["strings"].get<long long>(),
                      p["distinct_states"].get<long long>(), p["copied"].get<long long>(),
                      p["holds"].get<bool>() ? "" : "  MORE COPIED THAN STATES");
    }
    return code;
  }

  // Both directories before any run, so a wrong --data or --checkpoints is one line and
  // exit 2 (and leaves nothing behind) rather than a failure inside every run.
  const fs::path made = make_directory(fs::path(o.data) / study->name, "--data");
  try {
    make_directory(fs::path(o.checkpoints) / study->name, "--checkpoints");
  } catch (const UsageError&) {
    std::error_code ec;
    if (!made.empty()) fs::remove_all(made, ec);
    throw;
  }
  std::vector<const StudyRun*> todo;
  for (const auto& r : study->runs)
    if (run_finished(fs::path(o.data) / study->name / r.name, r))
      say("study " + study->name + ": " + r.name + " finished, skipped");
    else
      todo.push_back(&r);
  std::atomic<std::size_t> next{0};
  std::atomic<int> failed{0};
  struct sigaction action {};
  action.sa_handler = stop_study;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  auto worker = [&] {
    for (std::size_t i; !stop_requested && (i = next++) < todo.size();) {
      say("study " + study->name + ": " + todo[i]->name + " running");
      bool ok = false;
      try {
        ok = do_run(*study, *todo[i], o);
      } catch (const std::exception& e) {
        say(std::string("study: ") + e.what());
      }
      if (stop_requested) break;
      say("study " + study->name + ": " + todo[i]->name +
          (ok ? " done" : " FAILED (its .tmp files are left for inspection)"));
      if (!ok) ++failed;
    }
  };
  std::vector<std::thread> workers;
  for (int j = 0; j < o.jobs; ++j) workers.emplace_back(worker);
  for (auto& w : workers) w.join();
  if (stop_requested) {
    say("study " + study->name + ": stopped by a signal; finished runs are kept, the same command resumes");
    return kExitFail;
  }
  return failed > 0 ? kExitFail : kExitPass;
}

}  // namespace

void add_study_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<StudyOptions>();
  auto* cmd = app.add_subcommand(
      "study", "Run a study of the trained models (a resumable grid of train + eval runs), or summarize it");
  cmd->add_option("name", o->name,
                  "Study: copy-seeds | copy-seeds-5k | positional | sample-efficiency | lookup | lr-sweep | "
                  "state-sweep | pigeonhole | smoke (none: list the studies)");
  add_integer_option(*cmd, "--jobs", o->jobs, 1, 256,
                     "Runs side by side, each one single-threaded process (default 1)");
  cmd->add_flag("--list", o->list, "List the studies (with a name: its runs and which are finished)");
  cmd->add_option("--data", o->data, "Result directory (default docs/results/data)");
  cmd->add_option("--checkpoints", o->checkpoints,
                  "Checkpoint directory, not committed (default build/study-checkpoints)");
  cmd->add_flag("--summary", o->summary, "Print means and 95% t-intervals across seeds from the result files");
  cmd->add_flag("--json", o->json, "With --summary: print one JSON object");
  cmd->footer(
      example_footer("nice -n 19 copyproof study copy-seeds --jobs 1   # then: copyproof study copy-seeds --summary"));
  cmd->callback([o, cmd, &exit_code] {
    refuse_empty_values(*cmd, {"--data", "--checkpoints"});  // '' would be the current directory
    exit_code = run_study(*o);
  });
}

}  // namespace copyproof::cli
