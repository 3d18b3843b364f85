#pragma once
// Studies of the trained models (docs/trained.md): a study is a named grid of runs, each
// one `copyproof train` followed by `copyproof eval`, whose results live in
//   <data>/<study>/<run>/config.json    {"study","run","model","seed","pos"(transformer),"train": train --json}
//   <data>/<study>/<run>/train.jsonl    the train --log file
//   <data>/<study>/<run>/eval.json      eval --json on the study's task and lengths
//   <data>/<study>/<run>/eval-dup.json  {"results": [eval --task dup --json, one per n-gram]} (dup probe only)
//   <data>/<study>/<run>/pigeonhole.json  eval --pigeonhole --json (pigeonhole study only)
//   <data>/<study>/<run>/eval-quantized.json  eval --quantize-state --json (state-sweep's fixed-state models)
// A run is finished when all its files exist (each is written to a temporary name and
// renamed, config.json last), so a stopped study resumes where it stopped. A run with
// config.json but without a result file added to the study later is extended: if its
// checkpoint is still there and reproduces eval.json exactly, only the missing files are
// computed; otherwise the run fails with a message (delete its config.json to redo it).
// This layout is read by the figures; keep it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace copyproof::trained {

struct StudyRun {
  std::string name;   // directory under <data>/<study>/, e.g. "mamba-s2"
  std::string group;  // runs differing only in seed share it, e.g. "mamba"
  std::string model;  // transformer | mamba | lstm
  std::string pos;    // transformer only, "" otherwise
  std::uint64_t seed = 1;
  std::string task = "copy";
  std::vector<std::string> train_flags;  // besides model/task/seed/threads/out/log/json
  std::vector<int> eval_lengths;
  int eval_samples = 200;
  std::vector<int> dup_ngrams;  // empty: no eval-dup.json
  int dup_length = 20;
  std::vector<int> pigeonhole_lengths;  // empty: no pigeonhole.json
  std::vector<int> pigeonhole_bits;
  std::vector<int> quantized_bits;  // empty: no eval-quantized.json (at eval_lengths)
};

struct Study {
  std::string name;
  std::string description;
  std::vector<StudyRun> runs;  // in the order they run (each study says why its order)
};

inline constexpr const char* kConfigFile = "config.json";
inline constexpr const char* kTrainLogFile = "train.jsonl";
inline constexpr const char* kEvalFile = "eval.json";
inline constexpr const char* kDupFile = "eval-dup.json";
inline constexpr const char* kPigeonholeFile = "pigeonhole.json";
inline constexpr const char* kQuantizedFile = "eval-quantized.json";

const std::vector<Study>& all_studies();
const Study* find_study(const std::string& name);

// The result files `run` must have to count as finished.
std::vector<std::string> result_files(const StudyRun& run);
bool run_finished(const std::filesystem::path& run_dir, const StudyRun& run);

// Arguments (after the program name) of the commands of one run; the trainer and the
// evaluations use one thread each (a study runs several runs side by side instead).
std::vector<std::string> train_arguments(const StudyRun& run, const std::string& checkpoint, const std::string& log);
std::vector<std::string> eval_arguments(const StudyRun& run, const std::string& checkpoint);
std::vector<std::string> dup_arguments(const StudyRun& run, const std::string& checkpoint, int ngram);
std::vector<std::string> pigeonhole_arguments(const StudyRun& run, const std::string& checkpoint);
std::vector<std::string> quantized_arguments(const StudyRun& run, const std::string& checkpoint);

}  // namespace copyproof::trained
