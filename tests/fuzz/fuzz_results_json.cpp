// Fuzz target: the study result files that `copyproof figures` and `copyproof study
// --summary` read from a --data directory, read in memory. The input is the files of one
// run, separated by NUL bytes (JSON text holds none):
//   config.json \0 eval.json \0 train.jsonl \0 eval-dup.json \0 pigeonhole.json \0 eval-quantized.json
// (a part left out: that file is absent). Each part goes through the readers' own parser
// (parse_result_json, the one read_result_json uses; train.jsonl line by line, as both
// readers split it) and the file's check (result_files.hpp). The same inputs go through the
// files, the figures and the summaries in fuzz_results_study (one corpus; 1.5x the time
// per input there: files written, figures drawn).
// The promises, each a finding when broken:
//  - parsing and checking return or throw ResultFileError (never nlohmann's exceptions);
//  - what a check accepted, every read the readers make of it is defined and in range:
//    numbers read as int fit an int, the products they form (step x batch, 32 x state
//    numbers, bits x state numbers) fit an int64, names are safe between gnuplot's quotes,
//    and the summary's own functions on the document (longest_copied_length,
//    bound_longest_length) return.
// Nothing else may escape, crash, or trip ASan/UBSan (float-to-int conversions included).

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "copyproof/trained/result_files.hpp"
#include "copyproof/trained/study.hpp"
#include "copyproof/trained/study_summary.hpp"
#include "copyproof/trained/tasks.hpp"

namespace {

namespace tr = copyproof::trained;
using nlohmann::json;

enum Part { kConfig, kEval, kTrainLog, kDup, kPigeonhole, kQuantized, kParts };
const char* const kNames[kParts] = {tr::kConfigFile, tr::kEvalFile,       tr::kTrainLogFile,
                                    tr::kDupFile,    tr::kPigeonholeFile, tr::kQuantizedFile};

std::vector<std::optional<std::string_view>> split_parts(std::string_view input) {
  std::vector<std::optional<std::string_view>> parts(kParts);
  std::size_t at = 0;
  for (int p = 0; p < kParts && at <= input.size(); ++p) {
    const std::size_t end = std::min(input.find('\0', at), input.size());
    parts[p] = input.substr(at, end - at);
    at = end + 1;
  }
  return parts;
}

// The document a check accepted, or nullopt when parsing or the check refused it (with a
// ResultFileError: anything else escapes to libFuzzer as a finding).
std::optional<json> accepted(std::string_view text, const char* name, void (*check)(const json&, const std::string&)) {
  try {
    json doc = tr::parse_result_json(text, name);
    check(doc, name);
    return doc;
  } catch (const tr::ResultFileError&) {
    return std::nullopt;
  }
}

void require(bool promise) {
  if (!promise) std::abort();
}

bool fits_int(const json& v) {
  const auto x = v.get<std::int64_t>();
  return x >= INT_MIN && x <= INT_MAX;
}

std::int64_t product(std::int64_t a, std::int64_t b) {
  std::int64_t p = 0;
  require(!__builtin_mul_overflow(a, b, &p));
  return p;
}

// The names the readers write into figures and CSV cells (config: all four; eval: model).
void check_names(const json& doc, std::initializer_list<const char*> keys) {
  for (const char* key : keys)
    if (doc.contains(key)) require(tr::is_safe_result_name(doc[key].get<std::string>()));
}

// Returns the batch the summary reads (config.train.batch), when there is one.
std::optional<std::int64_t> read_config(const json& config) {
  check_names(config, {"study", "run", "model", "pos"});
  if (config.contains("seed")) require(config["seed"].get<std::int64_t>() >= 0);
  if (!config.contains("train") || !config["train"].contains("batch")) return std::nullopt;
  const json& batch = config["train"]["batch"];
  require(fits_int(batch) && batch.get<int>() >= 1);  // study_summary: get<int>()
  return batch.get<std::int64_t>();
}

// Returns the state numbers (null for a transformer) when given.
std::optional<std::int64_t> read_eval(const json& eval) {
  check_names(eval, {"model"});
  for (const json& r : eval.at("results")) {
    require(fits_int(r.at("length")) && r.at("length").get<int>() >= 1);
    const double s = r.at("string_accuracy").get<double>(), t = r.at("token_accuracy").get<double>();
    require(s >= 0 && s <= 1 && t >= 0 && t <= 1);
    require(r.at("samples").get<std::int64_t>() >= 1);
  }
  const int longest = tr::longest_copied_length(eval);
  require(longest >= 0);
  if (eval.contains("trained_lengths"))
    require(fits_int(eval["trained_lengths"][0]) && fits_int(eval["trained_lengths"][1]));
  if (!eval.contains("state_numbers") || !eval["state_numbers"].is_number()) return std::nullopt;
  const std::int64_t numbers = eval["state_numbers"].get<std::int64_t>();
  require(tr::bound_longest_length(product(32, numbers), tr::kLetters) >= 0);  // Theorem 2.7 at 32 bits
  return numbers;
}

// train.jsonl, line by line as load_study and examples_to_reach read it.
void read_train_log(std::string_view text, std::int64_t batch) {
  std::size_t at = 0;
  for (std::int64_t number = 1; at < text.size(); ++number) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.empty()) continue;
    const auto doc = accepted(line, "train.jsonl", tr::check_train_log_line);
    if (!doc) continue;
    (void)product((*doc)["step"].get<std::int64_t>(), batch);  // examples seen = step x batch
    if (doc->contains("eval")) {
      const double s = (*doc)["eval"]["string_accuracy"].get<double>();
      require(s >= 0 && s <= 1);
      if ((*doc)["eval"].contains("length")) require(fits_int((*doc)["eval"]["length"]));
    }
  }
}

void read_dup(const json& dup) {
  for (const json& probe : dup.at("results")) {
    require(fits_int(probe.at("ngram")));
    const double s = probe.at("results").at(0).at("string_accuracy").get<double>();  // study_summary reads the first
    require(s >= 0 && s <= 1);
  }
}

void read_pigeonhole(const json& file) {
  for (const json& p : file.at("pigeonhole")) {
    require(fits_int(p.at("length")) && fits_int(p.at("bits")));
    require(p.at("copied").get<std::int64_t>() >= 0 && p.at("distinct_states").get<std::int64_t>() >= 0);
    (void)p.at("holds").get<bool>();
  }
}

void read_quantized(const json& file, std::int64_t numbers) {
  for (const json& q : file.at("quantized")) {
    require(fits_int(q.at("bits")) && fits_int(q.at("length")));
    const std::int64_t bits = q.at("bits").get<std::int64_t>();
    require(tr::bound_longest_length(product(bits, numbers), tr::kLetters) >= 0);  // Theorem 2.7 at q bits
    (void)q.at("holds").get<bool>();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = split_parts(std::string_view(reinterpret_cast<const char*>(data), size));
  // Where a file is absent or refused, the products are checked against the largest value
  // its check admits (another run's file may hold it).
  std::int64_t batch = tr::kMaxResultBatch, numbers = tr::kMaxResultCount;
  if (parts[kConfig])
    if (const auto config = accepted(*parts[kConfig], kNames[kConfig], tr::check_config_json))
      batch = read_config(*config).value_or(batch);
  if (parts[kEval])
    if (const auto eval = accepted(*parts[kEval], kNames[kEval], tr::check_eval_json))
      numbers = read_eval(*eval).value_or(numbers);
  if (parts[kTrainLog]) read_train_log(*parts[kTrainLog], batch);
  if (parts[kDup])
    if (const auto dup = accepted(*parts[kDup], kNames[kDup], tr::check_dup_json)) read_dup(*dup);
  if (parts[kPigeonhole])
    if (const auto p = accepted(*parts[kPigeonhole], kNames[kPigeonhole], tr::check_pigeonhole_json))
      read_pigeonhole(*p);
  if (parts[kQuantized])
    if (const auto q = accepted(*parts[kQuantized], kNames[kQuantized], tr::check_quantized_json))
      read_quantized(*q, numbers);
  return 0;
}
