// `copyproof eval`: greedy decoding of a trained checkpoint on fresh strings at chosen
// lengths; string and token accuracy, parameter count and state size.

#include <cstdio>
#include <memory>

#include "cli_support.hpp"
#include "commands.hpp"
#include "copyproof/trained/checkpoint.hpp"
#include "copyproof/trained/evaluate.hpp"
#include "trained_options.hpp"

namespace copyproof::cli {
namespace {

using namespace copyproof::trained;

struct EvalOptions {
  std::string checkpoint, lengths = "10,20,40,80", task;
  int ngram = 0;  // 0: the checkpoint's
  int samples = 100;
  std::int64_t seed = 1;
  int threads = default_threads();
  bool json = false;
};

int run_eval(const EvalOptions& o) {
  const std::vector<int> lengths = parse_integer_list(o.lengths, "--lengths", 1, 100000);
  Task task{};
  if (!o.task.empty() && !parse_task(o.task, task)) throw UsageError("--task: '" + o.task + "' is not one of copy, dup, prefix, suffix");
  Checkpoint ck;
  try {
    ck = load_checkpoint(o.checkpoint);
  } catch (const CheckpointError& e) {
    throw UsageError(std::string("--checkpoint: ") + e.what());
  }
  if (o.task.empty()) task = ck.meta.task;
  const int ngram = o.ngram > 0 ? o.ngram : ck.meta.ngram;
  for (int length : lengths)
    if (length < min_string_length(task, ngram))
      throw UsageError("--lengths: " + std::to_string(length) + " is too short for task " + to_string(task) + " with n-gram " +
                       std::to_string(ngram) + " (needs >= " + std::to_string(min_string_length(task, ngram)) + ")");
  const auto net = make_network<float>(ck.meta.config);

  nlohmann::json results = nlohmann::json::array();
  const bool progress = progress_enabled();
  for (int length : lengths) {
    if (progress) std::fprintf(stderr, "\reval: length %d ...   ", length);
    const EvalResult r = evaluate(*net, ck.params.data(), task, length, ngram, o.samples, static_cast<std::uint64_t>(o.seed), o.threads);
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
                 {"trained_task", to_string(ck.meta.task)},
                 {"trained_lengths", {ck.meta.min_length, ck.meta.max_length}},
                 {"seed", o.seed},
                 {"results", results}});
  if (o.json) {
    print_json(report);
    return kExitPass;
  }
  std::printf("%s (%zu params, trained on %s lengths %d-%d), task %s\n", to_string(ck.meta.config.kind).c_str(),
              net->parameter_count(), to_string(ck.meta.task).c_str(), ck.meta.min_length, ck.meta.max_length,
              to_string(task).c_str());
  std::printf("  %8s %10s %10s %14s\n", "length", "string", "token", "state numbers");
  for (const auto& r : results)
    std::printf("  %8d %10.3f %10.3f %14lld\n", r["length"].get<int>(), r["string_accuracy"].get<double>(),
                r["token_accuracy"].get<double>(), r["state_numbers"].get<long long>());
  return kExitPass;
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "Greedy-decode a trained checkpoint on fresh strings: string and token accuracy");
  cmd->add_option("--checkpoint", o->checkpoint, "Checkpoint written by `copyproof train`")->required();
  cmd->add_option("--lengths", o->lengths, "String lengths, comma-separated (default 10,20,40,80)");
  cmd->add_option("--task", o->task, "copy | dup | prefix | suffix (default: the trained task)");
  add_integer_option(*cmd, "--ngram", o->ngram, 1, 64, "n-gram size for dup/prefix/suffix (default: the trained one)");
  add_integer_option(*cmd, "--samples", o->samples, 1, 1000000, "Fresh strings per length (default 100)");
  add_integer_option(*cmd, "--seed", o->seed, 0, std::numeric_limits<std::int64_t>::max(), "Seed of the strings (default 1)");
  add_integer_option(*cmd, "--threads", o->threads, 1, 1024, "Worker threads (default: all cores)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->footer(example_footer("copyproof eval --checkpoint copy.safetensors --lengths 10,20,40,80 --json"));
  cmd->callback([o, &exit_code] { exit_code = run_eval(*o); });
}

}  // namespace copyproof::cli
