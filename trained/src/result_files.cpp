#include <copyproof/trained/result_files.hpp>

#include <copyproof/common/json_integer.hpp>
#include <copyproof/common/json_parse.hpp>
#include <copyproof/trained/quantized_state.hpp>
#include <copyproof/trained/tasks.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>

namespace copyproof::trained {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw ResultFileError(where + ": " + what);
}

const json& object_at(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) fail(where, std::string("no \"") + key + "\"");
  return j[key];
}

// An integer in [lo, hi] (a float, even a whole one, is refused: the readers get<int>() it).
void require_integer(const json& v, std::int64_t lo, std::int64_t hi, const std::string& where,
                     const std::string& key) {
  const auto x = json_integer<std::int64_t>(v);
  if (!x || *x < lo || *x > hi)
    fail(where, "\"" + key + "\" is " + v.dump().substr(0, 40) + ", not an integer in [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "]");
}

void require_fraction(const json& v, const std::string& where, const std::string& key) {
  if (!v.is_number() || !(v.get<double>() >= 0.0 && v.get<double>() <= 1.0))
    fail(where, "\"" + key + "\" is " + v.dump().substr(0, 40) + ", not a number in [0, 1]");
}

void require_finite(const json& v, const std::string& where, const std::string& key) {
  if (!v.is_number() || !std::isfinite(v.get<double>()))
    fail(where, "\"" + key + "\" is " + v.dump().substr(0, 40) + ", not a finite number");
}

void require_name(const json& v, const std::string& where, const std::string& key) {
  if (!v.is_string() || !is_safe_result_name(v.get<std::string>()))
    fail(where, "\"" + key + "\" is " + v.dump().substr(0, 40) + ", not a name of 1-64 letters, digits and - _ . +");
}

// "alphabet" (eval --json since --alphabet): optional, 26 when absent (alphabet_of_result).
void check_alphabet_key(const json& j, const std::string& where) {
  if (j.contains("alphabet")) require_integer(j["alphabet"], kMinAlphabet, kMaxAlphabet, where, "alphabet");
}

void require_object(const json& v, const std::string& where, const std::string& key) {
  if (!v.is_object()) fail(where, "\"" + key + "\" is not an object");
}

void require_array(const json& v, const std::string& where, const std::string& key) {
  if (!v.is_array()) fail(where, "\"" + key + "\" is not an array");
}

// One entry of eval --json's "results".
void check_eval_result(const json& r, const std::string& where) {
  require_object(r, where, "results[]");
  require_integer(object_at(r, "length", where), 1, kMaxResultLength, where, "length");
  require_fraction(object_at(r, "string_accuracy", where), where, "string_accuracy");
  require_fraction(object_at(r, "token_accuracy", where), where, "token_accuracy");
  require_integer(object_at(r, "samples", where), 1, kMaxResultCount, where, "samples");
}

}  // namespace

bool is_safe_result_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == '+';
    if (!ok) return false;
  }
  return true;
}

std::optional<json> read_result_json(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) throw ResultFileError(file.string() + ": a directory, not a file");
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_result_json(text, file.string());
}

json parse_result_json(std::string_view text, const std::string& where) {
  try {
    return parse_outside_json(text);  // depth-limited: the readers copy what they read
  } catch (const json::exception& e) {
    throw ResultFileError(where + ": not valid JSON (" + e.what() + ")");
  }
}

void check_config_json(const json& config, const std::string& where) {
  if (!config.is_object()) fail(where, "not a JSON object");
  for (const char* key : {"study", "run", "model", "pos"})
    if (config.contains(key)) require_name(config[key], where, key);
  if (config.contains("seed"))
    require_integer(config["seed"], 0, std::numeric_limits<std::int64_t>::max(), where, "seed");
  if (!config.contains("train")) return;
  const json& train = config["train"];
  require_object(train, where, "train");
  if (train.contains("batch")) require_integer(train["batch"], 1, kMaxResultBatch, where, "train.batch");
  for (const char* key : {"final_loss", "seconds"})
    if (train.contains(key)) require_finite(train[key], where, std::string("train.") + key);
  if (train.contains("eval")) {
    require_object(train["eval"], where, "train.eval");
    if (train["eval"].contains("samples"))
      require_integer(train["eval"]["samples"], 1, kMaxResultCount, where, "train.eval.samples");
  }
}

void check_eval_json(const json& eval, const std::string& where) {
  if (!eval.is_object()) fail(where, "not a JSON object");
  const json& results = object_at(eval, "results", where);
  require_array(results, where, "results");
  for (const json& r : results) check_eval_result(r, where);
  if (eval.contains("model")) require_name(eval["model"], where, "model");
  check_alphabet_key(eval, where);
  if (eval.contains("trained_lengths")) {
    const json& t = eval["trained_lengths"];
    if (!t.is_array() || t.size() != 2) fail(where, "\"trained_lengths\" is not [min, max]");
    require_integer(t[0], 1, kMaxResultLength, where, "trained_lengths[0]");
    require_integer(t[1], t[0].get<std::int64_t>(), kMaxResultLength, where, "trained_lengths[1]");
  }
  // null for models whose state grows with the input (the transformer's KV cache)
  if (eval.contains("state_numbers") && !eval["state_numbers"].is_null())
    require_integer(eval["state_numbers"], 0, kMaxResultCount, where, "state_numbers");
  if (eval.contains("params"))
    require_integer(eval["params"], 0, std::numeric_limits<std::int64_t>::max(), where, "params");
}

int alphabet_of_result(const json& file) {
  return file.contains("alphabet") ? file["alphabet"].get<int>() : kDefaultAlphabet;
}

void check_train_log_line(const json& line, const std::string& where) {
  if (!line.is_object()) fail(where, "not a JSON object");
  require_integer(object_at(line, "step", where), 0, kMaxResultStep, where, "step");
  if (!line.contains("eval")) return;
  const json& e = line["eval"];
  require_object(e, where, "eval");
  require_fraction(object_at(e, "string_accuracy", where), where, "eval.string_accuracy");
  if (e.contains("length")) require_integer(e["length"], 1, kMaxResultLength, where, "eval.length");
  if (e.contains("samples")) require_integer(e["samples"], 1, kMaxResultCount, where, "eval.samples");
}

void check_dup_json(const json& dup, const std::string& where) {
  if (!dup.is_object()) fail(where, "not a JSON object");
  const json& probes = object_at(dup, "results", where);
  require_array(probes, where, "results");
  for (const json& probe : probes) {
    require_object(probe, where, "results[]");
    require_integer(object_at(probe, "ngram", where), 1, kMaxResultLength, where, "ngram");
    const json& results = object_at(probe, "results", where);
    require_array(results, where, "results[].results");
    if (results.empty()) fail(where, "a probe's \"results\" is empty");
    for (const json& r : results) check_eval_result(r, where);
  }
}

void check_pigeonhole_json(const json& file, const std::string& where) {
  if (!file.is_object()) fail(where, "not a JSON object");
  check_alphabet_key(file, where);
  const json& entries = object_at(file, "pigeonhole", where);
  require_array(entries, where, "pigeonhole");
  for (const json& p : entries) {
    require_object(p, where, "pigeonhole[]");
    require_integer(object_at(p, "length", where), 1, kMaxResultLength, where, "length");
    require_integer(object_at(p, "bits", where), 1, kMaxResultLength, where, "bits");
    for (const char* key : {"strings", "distinct_states", "copied"})
      require_integer(object_at(p, key, where), 0, std::numeric_limits<std::int64_t>::max(), where, key);
    if (!object_at(p, "holds", where).is_boolean()) fail(where, "\"holds\" is not true or false");
  }
}

void check_quantized_json(const json& file, const std::string& where) {
  if (!file.is_object()) fail(where, "not a JSON object");
  check_alphabet_key(file, where);
  const json& entries = object_at(file, "quantized", where);
  require_array(entries, where, "quantized");
  for (const json& q : entries) {
    require_object(q, where, "quantized[]");
    // The bits eval --quantize-state takes; the summary multiplies them by the state numbers
    // (<= 2^40), which kMaxResultLength bits (2^30) would overflow.
    require_integer(object_at(q, "bits", where), 1, kMaxQuantizedBits, where, "bits");
    require_integer(object_at(q, "length", where), 1, kMaxResultLength, where, "length");
    require_fraction(object_at(q, "string_accuracy", where), where, "string_accuracy");
    for (const char* key : {"distinct_states", "copied"})
      require_integer(object_at(q, key, where), 0, std::numeric_limits<std::int64_t>::max(), where, key);
    if (!object_at(q, "holds", where).is_boolean()) fail(where, "\"holds\" is not true or false");
  }
}

}  // namespace copyproof::trained
