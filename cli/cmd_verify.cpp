// `copyproof verify`: runs the copy transformer teacher-forced on every string of a source,
// cross-checks each prediction with the reference hash-copy algorithm, and reports.
// Exit 0 iff no violation, no disagreement and string error <= repeat fraction.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "cli_support.hpp"
#include "commands.hpp"
#include "construction_options.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/verifier.hpp"
#include "copyproof/construction/verify_plan.hpp"
#include "copyproof/gpu/gpu_backend.hpp"
#include "progress_line.hpp"
#include "symbols.hpp"
#include "verify_report.hpp"

namespace copyproof::cli {
namespace {

namespace cx = copyproof::construction;

struct VerifyOptions {
  cx::VerifyRequest request;
  std::int64_t length = 0, samples = 0, max_length = 0;  // copied into the request when given
  std::string source = "uniform";
  std::string precision = "fp32";
  std::string device = "cpu";
  std::int64_t seed = 1;
  bool json = false;
  CLI::Option* length_option = nullptr;
  CLI::Option* samples_option = nullptr;
  CLI::Option* max_length_option = nullptr;
  CLI::Option* precision_option = nullptr;
};

// The flag of a request field: "--" + its name, '_' written '-'.
std::string flag_of(cx::VerifyField field) {
  std::string flag = "--" + std::string(cx::field_name(field));
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

// The plan for what the flags ask: construction::plan_verify validates and sizes it; the
// CLI only maps an error's field to its flag ("max_length" -> "--max-length").
cx::VerifyPlan planned(VerifyOptions& o) {
  cx::VerifyRequest r = o.request;
  r.length = given(o.length_option, o.length);
  r.samples = given(o.samples_option, o.samples);
  r.max_length = given(o.max_length_option, o.max_length);
  r.source = *cx::parse_source_kind(o.source);  // CLI::IsMember admitted only known names
  r.seed = static_cast<std::uint64_t>(o.seed);
  if (o.precision_option->count() > 0) r.precision = *cx::parse_precision(o.precision);  // IsMember, as above
  r.device = o.device == "gpu";
  const cx::VerifyDevice gpu_device = r.device ? gpu::verify_device() : cx::VerifyDevice{};
  const cx::VerifyPlanResult result =
      cx::plan_verify(r, cx::VerifyEnvironment{available_memory_bytes(), r.device ? &gpu_device : nullptr});
  if (!result.ok()) throw UsageError(flag_of(result.error->field) + ": " + result.error->message);
  return *result.plan;
}

int run_verify(VerifyOptions& o) {
  const cx::VerifyPlan plan = planned(o);
  const cx::VerifyConfig& config = plan.config;
  if (!config.device_forward && plan.estimated_cpu_seconds > 120)
    std::fprintf(stderr, "verify: %.3g layer-2 pairs, roughly %.0f minutes on %d CPU threads%s\n", plan.layer2_pairs,
                 plan.estimated_cpu_seconds / 60, config.threads,
                 gpu::unavailable_reason().empty() ? " (--device gpu is available)" : "");
  // Progress with an ETA on stderr (never stdout), from the pairs counted since the first;
  // before the first pair (the model's construction, and on the float path the forward)
  // a heartbeat says the run is still in setup.
  ProgressLine progress("verify", "layer-2 pairs", "building the model and running the forward", progress_enabled());
  const cx::VerifyReport report = cx::verify(
      config, [&progress](std::int64_t done, std::int64_t total) { progress.report(done, total); }, plan.make_backend);
  progress.finish();
  if (o.json)
    print_json(verify_report_json(report));
  else
    print_verify_report(report);
  return report.pass() ? kExitPass : kExitFail;
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<VerifyOptions>();
  o->request.threads = default_threads();
  auto* cmd = app.add_subcommand(
      "verify", "Run the copy transformer teacher-forced on many strings and cross-check it with the reference");
  add_alphabet_option(*cmd, o->request.alphabet)->required();
  add_ngram_option(*cmd, o->request.ngram)->required();
  o->length_option = add_integer_option(*cmd, "--length,-L", o->length, 1, cx::kMaxVerifyLength,
                                        "String length L (implied for --source debruijn)");
  o->samples_option = add_integer_option(
      *cmd, "--samples,-S", o->samples, 1, cx::kMaxVerifySamples,
      "Strings to check (default " + std::to_string(cx::kDefaultVerifySamples) + "; 1 for debruijn)");
  o->max_length_option = add_integer_option(*cmd, "--max-length", o->max_length, 1, cx::kMaxVerifyLength,
                                            "L_max the model is built for, >= L (default L)");
  cmd->add_option("--source", o->source, "uniform | debruijn | planted | exhaustive (default uniform)")
      ->check(CLI::IsMember({"uniform", "debruijn", "planted", "exhaustive"}));
  add_integer_option(*cmd, "--seed", o->seed, 0, std::numeric_limits<std::int64_t>::max(),
                     "Seed of the string source (default 1)");
  cmd->add_option("--device", o->device, "cpu | gpu (default cpu; gpu needs an NVIDIA Hopper GPU)")
      ->check(CLI::IsMember({"cpu", "gpu"}));
  o->precision_option =
      cmd->add_option("--precision", o->precision,
                      "fp32 | fp64: the float forward; int8: float32 layer 1, exact integer layer 2; bf16 | fp16: "
                      "emulated, every stored value rounded to the format (docs/precision-measured.md) (default fp32)")
          ->check(CLI::IsMember({"fp32", "fp64", "int8", "bf16", "fp16"}));
  add_diagnostic_lambda_scale_option(*cmd, o->request.diagnostic_lambda_scale);
  add_integer_option(*cmd, "--threads", o->request.threads, 1, cx::kMaxVerifyThreads,
                     "Worker threads (default: all cores)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->footer(example_footer("copyproof verify --alphabet 4 --ngram 8 --source debruijn --json"));
  cmd->callback([o, &exit_code] { exit_code = run_verify(*o); });
}

}  // namespace copyproof::cli
