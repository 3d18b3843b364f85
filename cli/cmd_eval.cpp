// `copyproof eval`: greedy decoding of a trained checkpoint on fresh strings at chosen
// lengths; string and token accuracy, parameter count and state size.

#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli_support.hpp"
#include "commands.hpp"
#include "copyproof/trained/checkpoint.hpp"
#include "copyproof/trained/evaluate.hpp"
#include "copyproof/trained/memory_estimate.hpp"
#include "copyproof/trained/pigeonhole.hpp"
#include "copyproof/trained/quantized_state.hpp"
#include "trained_options.hpp"

namespace copyproof::cli {
namespace {

using namespace copyproof::trained;

struct EvalOptions {
  std::string checkpoint, lengths = "10,20,40,80", task, pigeonhole, quantize_state;
  int ngram = 0;     // 0: the checkpoint's
  int alphabet = 0;  // 0: the checkpoint's
  int samples = 100;
  std::int64_t seed = 1;
  int threads = default_threads();
  bool json = false;
};

std::string letters(const std::vector<int>& tokens) {
  std::string s;
  for (int t : tokens) s += t < kLetters ? static_cast<char>('a' + t) : t == kEos ? '.' : '?';
  return s;
}

// The alphabet strings are drawn from: --alphabet, else the checkpoint's (26 for checkpoints
// written before --alphabet existed).
int alphabet_of(const EvalOptions& o, const Checkpoint& ck) { return o.alphabet > 0 ? o.alphabet : ck.meta.alphabet; }

Checkpoint load_checkpoint_option(const EvalOptions& o) {
  try {
    return load_checkpoint(o.checkpoint);
  } catch (const CheckpointError& e) {
    throw UsageError(std::string("--checkpoint: ") + e.what());
  }
}

// --pigeonhole: Theorem 2.7's counting argument on the checkpoint (pigeonhole.hpp).
int run_pigeonhole(const EvalOptions& o, const std::vector<int>& lengths) {
  const std::vector<int> bits = parse_integer_list(o.pigeonhole, "--pigeonhole", 1, 16);
  // The lengths an explicit --alphabet allows are checked before the checkpoint is read; with
  // the checkpoint's alphabet, right after (the enumeration allocates D^L states).
  const auto check_lengths = [&](int alphabet) {
    for (int length : lengths)
      if (length > pigeonhole_max_length(alphabet))
        throw UsageError("--lengths: " + std::to_string(length) + " is too long for --pigeonhole over " +
                         std::to_string(alphabet) + " letters (D^L strings, at most " +
                         std::to_string(kPigeonholeMaxStrings) + ": L in [1, " +
                         std::to_string(pigeonhole_max_length(alphabet)) + "])");
  };
  if (o.alphabet > 0) check_lengths(o.alphabet);
  const Checkpoint ck = load_checkpoint_option(o);
  const int alphabet = alphabet_of(o, ck);
  check_lengths(alphabet);
  if (ck.meta.config.kind == ModelKind::transformer)
    throw UsageError("--pigeonhole: needs a mamba or lstm checkpoint (fixed state)");
  const auto net = make_network<float>(ck.meta.config);
  nlohmann::json report = describe_model(*net);
  report["checkpoint"] = o.checkpoint;
  report["alphabet"] = alphabet;
  report["pigeonhole"] = nlohmann::json::array();
  bool all_hold = true;
  for (int length : lengths)
    for (int b : bits) {
      const PigeonholeResult r = pigeonhole_check(*net, ck.params.data(), length, b, alphabet);
      all_hold = all_hold && r.holds;
      nlohmann::json j = {{"length", r.length}, {"bits", r.bits},       {"state_numbers", r.state_numbers},
                          {"range", r.range},   {"strings", r.strings}, {"distinct_states", r.distinct_states},
                          {"copied", r.copied}, {"holds", r.holds},     {"witness", nullptr}};
      if (r.witness)
        j["witness"] = {{"a", letters(r.witness->a)},
                        {"b", letters(r.witness->b)},
                        {"answer_a", letters(r.witness->answer_a)},
                        {"answer_b", letters(r.witness->answer_b)},
                        {"a_copied", r.witness->a_copied},
                        {"b_copied", r.witness->b_copied}};
      report["pigeonhole"].push_back(j);
    }
  if (o.json) {
    print_json(report);
  } else {
    std::printf("%s, %lld state numbers, %d letters; state before SEP quantized to q bits per number on [-r, r]\n",
                to_string(ck.meta.config.kind).c_str(), static_cast<long long>(net->state_numbers(0)), alphabet);
    for (const auto& j : report["pigeonhole"]) {
      std::printf("  L %d, q %2d: %lld strings, %lld distinct states, %lld copied: %s\n", j["length"].get<int>(),
                  j["bits"].get<int>(), j["strings"].get<long long>(), j["distinct_states"].get<long long>(),
                  j["copied"].get<long long>(), j["holds"].get<bool>() ? "copied <= states, holds" : "FAILS");
      if (!j["witness"].is_null())
        std::printf("    collision: '%s' -> '%s', '%s' -> '%s' (same quantized state)\n",
                    j["witness"]["a"].get<std::string>().c_str(), j["witness"]["answer_a"].get<std::string>().c_str(),
                    j["witness"]["b"].get<std::string>().c_str(), j["witness"]["answer_b"].get<std::string>().c_str());
    }
  }
  return all_hold ? kExitPass : kExitFail;
}

// Refuses (exit 2, --lengths) an evaluation whose activations would not fit: `concurrent`
// strings at once, the longest prompt BOS [key SEP] x SEP (at most length + n + 3 tokens).
void require_evaluation_memory(const ModelConfig& config, const std::vector<int>& lengths, int ngram,
                               std::uint64_t concurrent) {
  const int longest = *std::max_element(lengths.begin(), lengths.end());
  const auto prompt = static_cast<std::uint64_t>(longest) + static_cast<std::uint64_t>(ngram) + 3;
  require_memory(evaluation_bytes(config, prompt, concurrent), "--lengths",
                 "evaluating " + to_string(config.kind) + " at length " + std::to_string(longest));
}

// --quantize-state: copy accuracy with the state quantized at the copy token
// (quantized_state.hpp), per length and bits per number.
int run_quantized(const EvalOptions& o, const std::vector<int>& lengths) {
  const std::vector<int> bits = parse_integer_list(o.quantize_state, "--quantize-state", 1, kMaxQuantizedBits);
  if (!o.pigeonhole.empty()) throw UsageError("--quantize-state: not with --pigeonhole (run them separately)");
  if (!o.task.empty() && o.task != "copy")
    throw UsageError("--quantize-state: measures the copy task only (--task copy)");
  const Checkpoint ck = load_checkpoint_option(o);
  const int alphabet = alphabet_of(o, ck);
  if (ck.meta.config.kind == ModelKind::transformer)
    throw UsageError("--quantize-state: needs a mamba or lstm checkpoint (fixed state)");
  require_evaluation_memory(ck.meta.config, lengths, 0, 1);  // one string at a time
  const auto net = make_network<float>(ck.meta.config);
  nlohmann::json report = describe_model(*net);
  report.update({{"checkpoint", o.checkpoint},
                 {"task", "copy"},
                 {"alphabet", alphabet},
                 {"seed", o.seed},
                 {"quantized", nlohmann::json::array()}});
  bool all_hold = true;
  for (int b : bits)
    for (int length : lengths) {
      const QuantizedEval r = evaluate_quantized_copy(*net, ck.params.data(), length, b, o.samples,
                                                      static_cast<std::uint64_t>(o.seed), alphabet);
      all_hold = all_hold && r.holds;
      report["quantized"].push_back({{"bits", r.bits},
                                     {"length", r.length},
                                     {"samples", r.samples},
                                     {"range", r.range},
                                     {"string_accuracy", r.string_accuracy},
                                     {"token_accuracy", r.token_accuracy},
                                     {"copied", r.copied},
                                     {"distinct_states", r.distinct_states},
                                     {"holds", r.holds}});
    }
  if (o.json) {
    print_json(report);
  } else {
    std::printf("%s, %lld state numbers, %d letters; state before SEP quantized to q bits per number on [-r, r]\n",
                to_string(ck.meta.config.kind).c_str(), static_cast<long long>(net->state_numbers(0)), alphabet);
    std::printf("  %4s %8s %10s %10s %16s\n", "q", "length", "string", "token", "distinct states");
    for (const auto& j : report["quantized"])
      std::printf("  %4d %8d %10.3f %10.3f %16lld%s\n", j["bits"].get<int>(), j["length"].get<int>(),
                  j["string_accuracy"].get<double>(), j["token_accuracy"].get<double>(),
                  j["distinct_states"].get<long long>(), j["holds"].get<bool>() ? "" : "  MORE COPIED THAN STATES");
  }
  return all_hold ? kExitPass : kExitFail;
}

int run_eval(const EvalOptions& o) {
  const std::vector<int> lengths = parse_integer_list(o.lengths, "--lengths", 1, kMaxStringLength);
  if (!o.quantize_state.empty()) return run_quantized(o, lengths);
  if (!o.pigeonhole.empty()) return run_pigeonhole(o, lengths);
  Task task{};
  if (!o.task.empty() && !parse_task(o.task, task))
    throw UsageError("--task: '" + o.task + "' is not one of copy, dup, prefix, suffix");
  const Checkpoint ck = load_checkpoint_option(o);
  if (o.task.empty()) task = ck.meta.task;
  const int alphabet = alphabet_of(o, ck);
  // As train: a unique n-gram key is rare over a few letters.
  if (alphabet != kDefaultAlphabet && (task == Task::prefix || task == Task::suffix))
    throw UsageError("--alphabet: " + std::to_string(alphabet) +
                     " letters apply to --task copy and dup only (prefix/suffix need all 26)");
  const int ngram = o.ngram > 0 ? o.ngram : ck.meta.ngram;
  for (int length : lengths) {
    if (length < min_string_length(task, ngram))
      throw UsageError("--lengths: " + std::to_string(length) + " is too short for task " + to_string(task) +
                       " with n-gram " + std::to_string(ngram) +
                       " (needs >= " + std::to_string(min_string_length(task, ngram)) + ")");
    if (length > max_string_length(task, ngram))
      throw UsageError("--lengths: " + std::to_string(length) + " is too long for task " + to_string(task) +
                       " with n-gram " + std::to_string(ngram) + " (at most " +
                       std::to_string(max_string_length(task, ngram)) +
                       " = 26^n: longer strings rarely have an n-gram key that occurs once)");
  }
  require_evaluation_memory(ck.meta.config, lengths, ngram,
                            static_cast<std::uint64_t>(std::min(o.threads, o.samples)));  // a string per thread
  const auto net = make_network<float>(ck.meta.config);

  nlohmann::json results = nlohmann::json::array();
  const bool progress = progress_enabled();
  for (int length : lengths) {
    if (progress) std::fprintf(stderr, "\reval: length %d ...   ", length);
    const EvalResult r = evaluate(*net, ck.params.data(), task, length, ngram, o.samples,
                                  static_cast<std::uint64_t>(o.seed), o.threads, alphabet);
    results.push_back({{"length", r.length},
                       {"samples", r.samples},
                       {"string_accuracy", r.string_accuracy},
                       {"token_accuracy", r.token_accuracy},
                       {"state_numbers", r.state_numbers}});
  }
  if (progress) std::fprintf(stderr, "\r                              \r");

  nlohmann::json report = describe_model(*net);
  report.update({{"checkpoint", o.checkpoint},
                 {"task", to_string(task)},
                 {"ngram", ngram},
                 {"alphabet", alphabet},
                 {"trained_task", to_string(ck.meta.task)},
                 {"trained_lengths", {ck.meta.min_length, ck.meta.max_length}},
                 {"seed", o.seed},
                 {"results", results}});
  if (o.json) {
    print_json(report);
    return kExitPass;
  }
  std::printf("%s (%zu params, trained on %s lengths %d-%d over %d letters), task %s over %d letters\n",
              to_string(ck.meta.config.kind).c_str(), net->parameter_count(), to_string(ck.meta.task).c_str(),
              ck.meta.min_length, ck.meta.max_length, ck.meta.alphabet, to_string(task).c_str(), alphabet);
  std::printf("  %8s %10s %10s %14s\n", "length", "string", "token", "state numbers");
  for (const auto& r : results)
    std::printf("  %8d %10.3f %10.3f %14lld\n", r["length"].get<int>(), r["string_accuracy"].get<double>(),
                r["token_accuracy"].get<double>(), r["state_numbers"].get<long long>());
  return kExitPass;
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd =
      app.add_subcommand("eval", "Greedy-decode a trained checkpoint on fresh strings: string and token accuracy");
  cmd->add_option("--checkpoint", o->checkpoint, "Checkpoint written by `copyproof train`")->required();
  cmd->add_option("--lengths", o->lengths, "String lengths, comma-separated (default 10,20,40,80)");
  cmd->add_option("--task", o->task, "copy | dup | prefix | suffix (default: the trained task)");
  add_integer_option(*cmd, "--ngram", o->ngram, 1, 64, "n-gram size for dup/prefix/suffix (default: the trained one)");
  add_integer_option(*cmd, "--alphabet", o->alphabet, kMinAlphabet, kMaxAlphabet,
                     "Letters of the strings (and of --pigeonhole's enumeration): the first D of a-z (default: the "
                     "checkpoint's, 26 for checkpoints without one)");
  add_integer_option(*cmd, "--samples", o->samples, 1, 1000000, "Fresh strings per length (default 100)");
  add_integer_option(*cmd, "--seed", o->seed, 0, std::numeric_limits<std::int64_t>::max(),
                     "Seed of the strings (default 1)");
  add_integer_option(*cmd, "--threads", o->threads, 1, 1024, "Worker threads (default: all cores)");
  cmd->add_option(
      "--pigeonhole", o->pigeonhole,
      "Bits per state number, comma-separated (1-16): enumerate all D^L strings (L = --lengths, D^L <= 26^4), "
      "quantize the state before SEP, count distinct states and strings copied (Theorem 2.7)");
  cmd->add_option("--quantize-state", o->quantize_state,
                  "Bits per state number, comma-separated (1-16): copy accuracy at --lengths with the state of a mamba "
                  "or lstm quantized before SEP (uniform grid on [-r, r], r the largest |number| over the strings)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->footer(example_footer("copyproof eval --checkpoint copy.safetensors --lengths 10,20,40,80 --json"));
  cmd->callback([o, cmd, &exit_code] {
    refuse_empty_values(*cmd, {"--task", "--pigeonhole", "--quantize-state"});
    exit_code = run_eval(*o);
  });
}

}  // namespace copyproof::cli
