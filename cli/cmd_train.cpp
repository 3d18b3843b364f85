// `copyproof train`: trains a small transformer, Mamba or LSTM on a synthetic task and
// writes a safetensors checkpoint (and optionally a JSONL log of the run).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli_support.hpp"
#include "commands.hpp"
#include "copyproof/trained/checkpoint.hpp"
#include "copyproof/trained/memory_estimate.hpp"
#include "copyproof/trained/trainer.hpp"
#include "trained_options.hpp"

namespace copyproof::cli {
namespace {

using namespace copyproof::trained;

// Peak learning rate of each architecture, chosen by the same sweep for all three
// (docs/trained.md, "Learning-rate sweep").
double default_lr(ModelKind kind) {
  switch (kind) {
    case ModelKind::transformer: return 1e-2;
    case ModelKind::mamba: return 3e-3;
    case ModelKind::lstm: return 1e-2;
  }
  return 1e-3;
}

struct TrainOptions {
  std::string model, task, pos = "hard-alibi", windows, out, log;
  int layers = 0, width = 0, heads = 0, state_dim = 0;  // 0: the model's default
  int ngram = 3, min_length = 5, max_length = 20;
  int alphabet = kDefaultAlphabet;
  int steps = 10000, batch = 32, eval_every = 250, eval_samples = 64, log_every = 10;
  double lr = 0;  // 0: the model's default
  std::int64_t seed = 1;
  int threads = default_threads();
  bool json = false;
};

// Everything is checked here, before any allocation; the first problem is the error.
std::pair<ModelConfig, TrainConfig> checked_config(const TrainOptions& o) {
  ModelKind kind{};
  if (!parse_model_kind(o.model, kind))
    throw UsageError("--model: '" + o.model + "' is not one of transformer, mamba, lstm");
  Task task{};
  if (!parse_task(o.task, task)) throw UsageError("--task: '" + o.task + "' is not one of copy, dup, prefix, suffix");
  ModelConfig mc = default_config(kind, kVocab);
  if (!parse_position(o.pos, mc.pos))
    throw UsageError("--pos: '" + o.pos + "' is not one of nope, rope, alibi, hard-alibi");
  if (kind != ModelKind::transformer && (o.heads || !o.windows.empty() || o.pos != "hard-alibi"))
    throw UsageError("--heads, --pos and --windows apply to --model transformer only");
  if (kind != ModelKind::mamba && o.state_dim) throw UsageError("--state-dim applies to --model mamba only");
  if (o.layers) mc.layers = o.layers;
  if (o.width) mc.width = o.width;
  if (o.heads) mc.heads = o.heads;
  if (o.state_dim) mc.state_dim = o.state_dim;
  mc.windows = o.windows.empty() ? default_windows(mc.heads) : parse_integer_list(o.windows, "--windows", 0, 1 << 20);
  if (mc.pos != Position::hard_alibi) mc.windows.clear();
  if (const std::string problem = config_problem(mc); !problem.empty()) throw UsageError(problem);
  if (o.max_length < o.min_length)
    throw UsageError("--max-length: " + std::to_string(o.max_length) + " is less than --min-length " +
                     std::to_string(o.min_length));
  const int shortest = min_string_length(task, o.ngram);
  if (o.min_length < shortest)
    throw UsageError("--min-length: task " + o.task + " with --ngram " + std::to_string(o.ngram) +
                     " needs strings of at least " + std::to_string(shortest) + " letters");
  const int longest = max_string_length(task, o.ngram);
  if (o.max_length > longest)
    throw UsageError("--max-length: task " + o.task + " with --ngram " + std::to_string(o.ngram) +
                     " takes strings of at most " + std::to_string(longest) +
                     " letters (26^n: longer ones rarely have an n-gram key that occurs once)");
  // prefix/suffix need a key that occurs once in the string; over a few letters most long
  // strings have none and example generation would give up mid-run.
  if (o.alphabet != kDefaultAlphabet && (task == Task::prefix || task == Task::suffix))
    throw UsageError(
        "--alphabet: applies to --task copy and dup only (prefix/suffix need a unique n-gram key, which "
        "strings over a few letters rarely have)");
  require_writable_file(o.out, "--out");
  if (!o.log.empty()) require_writable_file(o.log, "--log");

  TrainConfig tc;
  tc.task = task;
  tc.min_length = o.min_length;
  tc.max_length = o.max_length;
  tc.ngram = o.ngram;
  tc.alphabet = o.alphabet;
  tc.steps = o.steps;
  tc.batch = o.batch;
  tc.warmup = std::max(1, std::min(200, o.steps / 10));
  tc.lr = o.lr > 0 ? o.lr : default_lr(kind);
  tc.seed = static_cast<std::uint64_t>(o.seed);
  tc.threads = o.threads;
  tc.eval_every = o.eval_every;
  tc.eval_samples = o.eval_samples;
  return {mc, tc};
}

// Memory of one step: parameters, AdamW moments and per-micro-batch gradients, plus the
// saved activations (an over-estimate: every layer's widest tensors times the positions).
std::uint64_t training_bytes(const Network<float>& net, const TrainConfig& tc) {
  const auto& c = net.config();
  const std::uint64_t T = 2ULL * static_cast<std::uint64_t>(tc.max_length) + 64;  // longest sequence of any task
  const std::uint64_t micro = static_cast<std::uint64_t>((tc.batch + kMicroBatch - 1) / kMicroBatch);
  const std::uint64_t per_position = activation_floats_per_position(c, T);
  const std::uint64_t activations = micro * static_cast<std::uint64_t>(kMicroBatch) * T * per_position;
  return sizeof(float) * (net.parameter_count() * (4 + micro) + 2 * activations);
}

int run_train(const TrainOptions& o) {
  const auto [mc, tc] = checked_config(o);
  const auto net = make_network<float>(mc);
  require_memory(training_bytes(*net, tc), "--batch", "training");
  std::unique_ptr<std::ofstream> log;
  if (!o.log.empty()) {
    log = std::make_unique<std::ofstream>(o.log, std::ios::trunc);
    if (!*log) throw UsageError("--log: cannot write '" + o.log + "'");
  }

  Buffer<float> params(net->parameter_count());
  net->init(params.data(), tc.seed);
  const bool progress = progress_enabled();
  TrainProgress last;
  double shown = -1;
  train(*net, params, tc, [&](const TrainProgress& p) {
    if (p.evaluated || p.step == tc.steps)
      last = p;
    else
      last.loss = p.loss, last.step = p.step, last.seconds = p.seconds;
    if (log && (p.evaluated || p.step % o.log_every == 0 || p.step == 1)) {
      nlohmann::json line = {
          {"step", p.step}, {"loss", p.loss}, {"lr", p.lr}, {"grad_norm", p.grad_norm}, {"seconds", p.seconds}};
      if (p.evaluated)
        line["eval"] = {{"length", p.eval_length},
                        {"string_accuracy", p.eval_string_accuracy},
                        {"token_accuracy", p.eval_token_accuracy}};
      *log << line.dump() << "\n";
      log->flush();
    }
    if (progress && (p.seconds - shown >= 0.5 || p.step == tc.steps)) {
      shown = p.seconds;
      std::fprintf(stderr, "\rtrain %s: step %d/%d  loss %.4f  lr %.2e  %.0f s   ", o.model.c_str(), p.step, tc.steps,
                   p.loss, p.lr, p.seconds);
      if (p.step == tc.steps) std::fprintf(stderr, "\n");
    }
  });

  Checkpoint ck;
  ck.meta = {mc, tc.task, tc.min_length, tc.max_length, tc.ngram, tc.steps, tc.batch, tc.lr, tc.seed, tc.alphabet};
  ck.params = std::move(params);
  try {
    save_checkpoint(o.out, ck);
  } catch (const CheckpointError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }

  nlohmann::json report = describe_model(*net);
  report.update({{"task", o.task},
                 {"alphabet", tc.alphabet},
                 {"steps", tc.steps},
                 {"batch", tc.batch},
                 {"lr", tc.lr},
                 {"seed", tc.seed},
                 {"threads", tc.threads},
                 {"final_loss", last.loss},
                 {"seconds", last.seconds},
                 {"checkpoint", o.out}});
  if (last.evaluated)
    report["eval"] = {{"length", last.eval_length},
                      {"samples", tc.eval_samples},
                      {"string_accuracy", last.eval_string_accuracy},
                      {"token_accuracy", last.eval_token_accuracy}};
  if (o.json) {
    print_json(report);
  } else {
    std::printf("trained %s on %s over %d letters: %zu params, %d steps of %d, lr %.2g, %.1f s\n", o.model.c_str(),
                o.task.c_str(), tc.alphabet, net->parameter_count(), tc.steps, tc.batch, tc.lr, last.seconds);
    std::printf("  final loss %.4f", last.loss);
    if (last.evaluated)
      std::printf("; at length %d: string accuracy %.3f, token accuracy %.3f (%d fresh strings)", last.eval_length,
                  last.eval_string_accuracy, last.eval_token_accuracy, tc.eval_samples);
    std::printf("\n  checkpoint %s\n", o.out.c_str());
  }
  return kExitPass;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TrainOptions>();
  auto* cmd = app.add_subcommand("train", "Train a small transformer, Mamba or LSTM on copy/dup/prefix/suffix");
  cmd->add_option("--model", o->model, "transformer | mamba | lstm")->required();
  cmd->add_option("--task", o->task, "copy | dup | prefix | suffix")->required();
  cmd->add_option("--out", o->out, "Checkpoint file to write (safetensors)")->required();
  cmd->add_option("--pos", o->pos, "Transformer positions: nope | rope | alibi | hard-alibi (default hard-alibi)");
  cmd->add_option(
      "--windows", o->windows,
      "Hard-ALiBi windows of the first heads, comma-separated; 0 = NoPE head (default 2,3,... on half the heads)");
  add_integer_option(*cmd, "--layers", o->layers, 1, trained::kMaxLayers,
                     "Layers (default: transformer 2, mamba 3, lstm 2)");
  add_integer_option(*cmd, "--width", o->width, 1, trained::kMaxWidth,
                     "Width (default: transformer 64, mamba 64, lstm hidden 78)");
  add_integer_option(*cmd, "--heads", o->heads, 1, trained::kMaxHeads, "Attention heads (default 8)");
  add_integer_option(*cmd, "--state-dim", o->state_dim, 1, trained::kMaxStateDim,
                     "Mamba state size N per channel (default 16)");
  add_integer_option(*cmd, "--ngram", o->ngram, 1, 64, "n-gram size for dup/prefix/suffix (default 3)");
  add_integer_option(*cmd, "--min-length", o->min_length, 1, kMaxStringLength, "Shortest training string (default 5)");
  add_integer_option(*cmd, "--max-length", o->max_length, 1, kMaxStringLength, "Longest training string (default 20)");
  add_integer_option(*cmd, "--alphabet", o->alphabet, kMinAlphabet, kMaxAlphabet,
                     "Letters of the strings: the first D of a-z (copy and dup; default 26). The vocabulary stays 29 "
                     "tokens; eval uses the checkpoint's D");
  add_integer_option(*cmd, "--steps", o->steps, 1, 100000000, "Optimizer steps (default 10000)");
  add_integer_option(*cmd, "--batch", o->batch, 1, 65536, "Sequences per step (default 32)");
  add_real_option(*cmd, "--lr", o->lr, 0, 1, true, "Peak learning rate (default: the model's, from the sweep)");
  add_integer_option(*cmd, "--seed", o->seed, 0, std::numeric_limits<std::int64_t>::max(),
                     "Seed of init and data (default 1)");
  add_integer_option(*cmd, "--threads", o->threads, 1, 1024, "Worker threads (default: all cores)");
  add_integer_option(*cmd, "--eval-every", o->eval_every, 0, 100000000,
                     "Greedy eval at --max-length every N steps and at the end; 0 = never (default 250)");
  add_integer_option(*cmd, "--eval-samples", o->eval_samples, 1, 1000000, "Strings per eval point (default 64)");
  add_integer_option(*cmd, "--log-every", o->log_every, 1, 100000000, "Log line every N steps (default 10)");
  cmd->add_option("--log", o->log, "JSONL log of loss and eval points");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->footer(
      example_footer("copyproof train --model transformer --task copy --out copy.safetensors --log copy.jsonl"));
  cmd->callback([o, cmd, &exit_code] {
    refuse_empty_values(*cmd, {"--log", "--windows"});
    exit_code = run_train(*o);
  });
}

}  // namespace copyproof::cli
