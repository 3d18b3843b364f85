// `copyproof verify`: runs the copy transformer teacher-forced on every string of a source,
// cross-checks each prediction with the reference hash-copy algorithm, and reports.
// Exit 0 iff no violation, no disagreement and string error <= repeat fraction.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>

#include "cli_support.hpp"
#include "commands.hpp"
#include "construction_options.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/verifier.hpp"
#include "copyproof/gpu/gpu_backend.hpp"
#include "symbols.hpp"
#include "verify_report.hpp"

namespace copyproof::cli {
namespace {

namespace cx = copyproof::construction;

constexpr std::int64_t kExhaustiveCap = std::int64_t{1} << 26;

struct VerifyOptions {
  cx::VerifyConfig config;
  std::string source = "uniform";
  std::string precision = "fp32";
  std::string device = "cpu";
  std::int64_t seed = 1;
  CLI::Option* precision_option = nullptr;
  bool json = false;
  CLI::Option* length = nullptr;
  CLI::Option* samples = nullptr;
  CLI::Option* max_length = nullptr;
};

// --device gpu: a usable GPU, a model the kernels support, and room on the device.
void check_gpu(const VerifyOptions& o, cx::VerifyConfig& c) {
  if (const std::string reason = gpu::unavailable_reason(); !reason.empty()) throw UsageError("--device gpu: " + reason);
  if (o.precision_option->count() > 0 && o.precision != "int8")
    throw UsageError("--precision: with --device gpu layer 1 runs in fp32 and layer 2 in exact int8; use int8 or omit it");
  c.precision = cx::Precision::int8;
  const cx::CopyTransformer ct = cx::build_copy_transformer(c.alphabet, c.ngram, cx::model_max_length(c),
                                                            cx::CopyTransformerOptions{c.diagnostic_lambda_scale});
  try {
    gpu::check_supported(ct);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--device gpu: ") + e.what());
  }
  const std::uint64_t need = gpu::device_memory_needed(ct, 2 * c.length + 2, c.length + 1);
  const std::uint64_t free_bytes = gpu::device_memory_free();
  if (need > free_bytes)
    throw UsageError("--length: the GPU forward at L = " + std::to_string(c.length) + " needs " +
                     format_bytes(static_cast<double>(need)) + " of device memory, " +
                     format_bytes(static_cast<double>(free_bytes)) + " free");
}

cx::VerifyConfig validated_config(VerifyOptions& o) {
  cx::VerifyConfig c = o.config;
  c.source = *cx::parse_source_kind(o.source);  // CLI::IsMember admitted only known names
  c.seed = static_cast<std::uint64_t>(o.seed);
  c.precision = *cx::parse_precision(o.precision);  // CLI::IsMember admitted only known names
  checked_shape(c.alphabet, c.ngram);
  const bool has_length = o.length->count() > 0;
  switch (c.source) {
    case cx::SourceKind::debruijn: {
      const std::int64_t period = cx::power_or_minus_one(c.alphabet, c.ngram, kMaxLengthFlag);
      if (period < 0) throw UsageError("--ngram: de Bruijn B(D, n) needs D^n <= 2^40");
      if (has_length && c.length != period + c.ngram - 1)
        throw UsageError("--length: de Bruijn B(" + std::to_string(c.alphabet) + ", " + std::to_string(c.ngram) +
                         ") has length D^n + n - 1 = " + std::to_string(period + c.ngram - 1) + "; omit --length");
      c.length = period + c.ngram - 1;
      if (o.samples->count() == 0) c.samples = 1;
      break;
    }
    case cx::SourceKind::exhaustive: {
      if (!has_length) throw UsageError("--length is required for --source exhaustive");
      if (o.samples->count() > 0) throw UsageError("--samples: not used with --source exhaustive (all D^L strings run)");
      if (cx::power_or_minus_one(c.alphabet, c.length, kExhaustiveCap) < 0)
        throw UsageError("--length: exhaustive enumeration needs D^L <= 2^26 (" + std::to_string(kExhaustiveCap) + ")");
      break;
    }
    case cx::SourceKind::uniform:
    case cx::SourceKind::planted:
      if (!has_length) throw UsageError("--length is required for --source " + o.source);
      if (c.source == cx::SourceKind::planted && c.length < c.ngram + 1)
        throw UsageError("--length: --source planted needs L >= n + 1 = " + std::to_string(c.ngram + 1));
      break;
  }
  c.device_forward = o.device == "gpu";
  if (o.max_length->count() > 0 && c.max_length < c.length)
    throw UsageError("--max-length: the model must be built for L_max >= --length L = " + std::to_string(c.length) +
                     "; got " + std::to_string(c.max_length) + " (allowed range [" + std::to_string(c.length) + ", " +
                     std::to_string(kMaxLengthFlag) + "])");
  require_memory(cx::verify_memory_bytes(c), "--length", "verify at L = " + std::to_string(c.length));
  if (o.device == "gpu") check_gpu(o, c);
  return c;
}

// Layer-2 query-key pairs the run evaluates: query i of a string of length L sees L + 2 + i keys.
double layer2_pairs(const cx::VerifyConfig& c) {
  const double L = static_cast<double>(c.length);
  return static_cast<double>(cx::source_count(c)) * (L + 1) * (3 * L + 4) / 2;
}

// Layer-2 pairs per second the CPU forward sustains per thread: the float path ~0.5e9
// (docs/performance.md), the exact integer path (bit planes) ~5e9 under load.
double cpu_pairs_per_second(const cx::VerifyConfig& c) {
  return (c.precision == cx::Precision::int8 ? 5e9 : 0.5e9) * std::max(c.threads, 1);
}

int run_verify(VerifyOptions& o) {
  const cx::VerifyConfig config = validated_config(o);
  const double minutes = layer2_pairs(config) / cpu_pairs_per_second(config) / 60;
  if (o.device == "cpu" && minutes > 2)
    std::fprintf(stderr, "verify: %.3g layer-2 pairs, roughly %.0f minutes on %d CPU threads%s\n", layer2_pairs(config),
                 minutes, config.threads, gpu::unavailable_reason().empty() ? " (--device gpu is available)" : "");
  const bool on_terminal = progress_enabled();
  const auto start = std::chrono::steady_clock::now();
  // Progress with an ETA on stderr (never stdout): on a terminal redrawn in place, otherwise
  // one line every 15 s; nothing for runs shorter than 3 s. The ETA is the rate since the
  // first pairs were reported (layer 1 runs before any), applied to the pairs left.
  auto progress = [on_terminal, start, last = 0.0, first_time = -1.0, first_done = std::int64_t{0}](
                      std::int64_t done, std::int64_t total) mutable {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (done >= total) {
      if (on_terminal && last > 0) std::fprintf(stderr, "\n");
      return;
    }
    if (done > 0 && first_time < 0) {
      first_time = elapsed;
      first_done = done;
    }
    if (elapsed < 3 || elapsed - last < (on_terminal ? 0.5 : 15) || total <= 0) return;
    last = elapsed;
    const double fraction = static_cast<double>(done) / static_cast<double>(total);
    const double rate = first_time >= 0 && elapsed > first_time
                            ? static_cast<double>(done - first_done) / (elapsed - first_time)
                            : 0;
    if (rate > 0)
      std::fprintf(stderr, "%sverify: %5.1f%% of layer-2 pairs, %.0f s elapsed, ETA %.0f s%s", on_terminal ? "\r" : "",
                   100 * fraction, elapsed, static_cast<double>(total - done) / rate, on_terminal ? "" : "\n");
    else
      std::fprintf(stderr, "%sverify: layer 1 and setup, %.0f s elapsed%s", on_terminal ? "\r" : "", elapsed,
                   on_terminal ? "" : "\n");
  };
  cx::BackendFactory backend;
  if (o.device == "gpu") backend = [](const cx::CopyTransformer& ct) { return gpu::make_gpu_backend(ct); };
  const cx::VerifyReport report = cx::verify(config, progress, backend);
  if (o.json)
    print_json(verify_report_json(report));
  else
    print_verify_report(report);
  return report.pass() ? kExitPass : kExitFail;
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<VerifyOptions>();
  o->config.samples = 100;
  o->config.threads = default_threads();
  auto* cmd = app.add_subcommand(
      "verify", "Run the copy transformer teacher-forced on many strings and cross-check it with the reference");
  add_alphabet_option(*cmd, o->config.alphabet)->required();
  add_ngram_option(*cmd, o->config.ngram)->required();
  o->length = add_integer_option(*cmd, "--length,-L", o->config.length, 1, kMaxLengthFlag,
                                 "String length L (implied for --source debruijn)");
  o->samples = add_integer_option(*cmd, "--samples,-S", o->config.samples, 1, std::int64_t{1} << 32,
                                  "Strings to check (default 100; 1 for debruijn)");
  o->max_length = add_integer_option(*cmd, "--max-length", o->config.max_length, 1, kMaxLengthFlag,
                                     "L_max the model is built for, >= L (default L)");
  cmd->add_option("--source", o->source, "uniform | debruijn | planted | exhaustive (default uniform)")
      ->check(CLI::IsMember({"uniform", "debruijn", "planted", "exhaustive"}));
  add_integer_option(*cmd, "--seed", o->seed, 0, std::numeric_limits<std::int64_t>::max(),
                     "Seed of the string source (default 1)");
  cmd->add_option("--device", o->device, "cpu | gpu (default cpu; gpu needs an NVIDIA Hopper GPU)")
      ->check(CLI::IsMember({"cpu", "gpu"}));
  o->precision_option = cmd->add_option("--precision", o->precision,
                  "fp32 | fp64: the float forward; int8: float32 layer 1, exact integer layer 2; bf16 | fp16: "
                  "emulated, every stored value rounded to the format (docs/precision-measured.md) (default fp32)")
      ->check(CLI::IsMember({"fp32", "fp64", "int8", "bf16", "fp16"}));
  add_diagnostic_lambda_scale_option(*cmd, o->config.diagnostic_lambda_scale);
  add_integer_option(*cmd, "--threads", o->config.threads, 1, 1024, "Worker threads (default: all cores)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->footer(example_footer("copyproof verify --alphabet 4 --ngram 8 --source debruijn --json"));
  cmd->callback([o, &exit_code] { exit_code = run_verify(*o); });
}

}  // namespace copyproof::cli
