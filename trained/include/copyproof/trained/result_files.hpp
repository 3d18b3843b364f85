#pragma once
// The result files of a study run (study.hpp's layout), checked before anything reads them.
// `study --summary` and the trained figures read files under a --data directory the user
// names; a file edited by hand, cut short or from another program must be refused with one
// message naming the file and the key, never crash or reach undefined behaviour:
//  - a number read as an int must be an integer in range (nlohmann's get<int>() on 1e300
//    is a float-to-int conversion out of range, undefined behaviour);
//  - products the readers form (step x batch, 32 x state numbers) must fit in int64;
//  - names (model, run, pos) are written into gnuplot scripts between quotes and into CSV
//    cells, so they must not be able to close a quote or start a new cell.
// The checks cover every key the readers use; keys they do not use are not looked at.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace copyproof::trained {

struct ResultFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Ranges of the numbers in result files: wide enough for any run `copyproof study` can make,
// narrow enough that every reader's arithmetic fits (2^31 x 2^31 < 2^63; 32 x 2^40 < 2^63).
inline constexpr std::int64_t kMaxResultLength = std::int64_t{1} << 30;       // lengths, n-grams (read as int)
inline constexpr std::int64_t kMaxResultStep = std::int64_t{1} << 31;         // steps
inline constexpr std::int64_t kMaxResultBatch = (std::int64_t{1} << 31) - 1;  // batch sizes (read as int)
inline constexpr std::int64_t kMaxResultCount = std::int64_t{1} << 40;        // samples, state numbers

// A name safe between gnuplot's single quotes and in a CSV cell: 1 to 64 characters from
// letters, digits and - _ . +
bool is_safe_result_name(const std::string& name);

// The JSON document in `file`, or nullopt when the file cannot be opened. Throws
// ResultFileError naming the file when it is not one valid JSON document.
std::optional<nlohmann::json> read_result_json(const std::filesystem::path& file);
// The JSON document in `text` (a result file's contents; `where` names it in the error).
// Throws ResultFileError when it is not one valid JSON document. read_result_json's parser.
nlohmann::json parse_result_json(std::string_view text, const std::string& where);

// Each throws ResultFileError("<where>: <what>") unless the document fits the layout.
// config.json: {"study","run","model","pos": names; "seed": integer >= 0; "train": {"batch",
// "final_loss", "seconds", "eval": {"samples"}}}, each key optional, checked when present.
void check_config_json(const nlohmann::json& config, const std::string& where);
// eval.json (eval --json): "results" required, each {length, string_accuracy,
// token_accuracy, samples}; "model", "trained_lengths" [min, max], "state_numbers",
// "params", "alphabet" (an integer in [kMinAlphabet, kMaxAlphabet]) checked when present.
void check_eval_json(const nlohmann::json& eval, const std::string& where);
// One line of train.jsonl: an object with an integer "step"; an "eval" point carries
// {string_accuracy, and optionally length, samples}.
void check_train_log_line(const nlohmann::json& line, const std::string& where);
// eval-dup.json: {"results": [eval --json objects, each with "ngram" and a nonempty "results"]}.
void check_dup_json(const nlohmann::json& dup, const std::string& where);
// The letters an eval.json, eval-quantized.json or pigeonhole.json was drawn from: its
// "alphabet", or 26 when it has none (files written before eval had --alphabet). The file
// must have passed its check_*_json.
int alphabet_of_result(const nlohmann::json& file);
// pigeonhole.json: {"pigeonhole": [{length, bits, strings, distinct_states, copied, holds}]},
// "alphabet" checked when present.
void check_pigeonhole_json(const nlohmann::json& file, const std::string& where);
// eval-quantized.json (eval --quantize-state): {"quantized": [{bits, length, string_accuracy,
// distinct_states, copied, holds}]}, "alphabet" checked when present.
void check_quantized_json(const nlohmann::json& file, const std::string& where);

}  // namespace copyproof::trained
