#include "copyproof/construction/verify_plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "copyproof/common/byte_size.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

std::string_view field_name(VerifyField field) {
  switch (field) {
    case VerifyField::alphabet: return "alphabet";
    case VerifyField::ngram: return "ngram";
    case VerifyField::length: return "length";
    case VerifyField::max_length: return "max_length";
    case VerifyField::samples: return "samples";
    case VerifyField::source: return "source";
    case VerifyField::precision: return "precision";
    case VerifyField::device: return "device";
    case VerifyField::threads: return "threads";
    case VerifyField::diagnostic_lambda_scale: return "diagnostic_lambda_scale";
  }
  return "unknown";
}

double estimated_cpu_seconds(double strings, double length, double pairs_per_second, int threads) {
  const double pairs = strings * layer2_pairs_per_string(length);
  const double per_string = strings * (kCpuSecondsPerString + length * kCpuSecondsPerToken);
  return (pairs / pairs_per_second + per_string) / std::max(threads, 1);
}

namespace {

using std::to_string;

// A rejection inside the planner; plan_verify turns it into its VerifyPlanError.
struct Rejection {
  VerifyField field;
  std::string message;
};

std::string range(std::int64_t lo, std::int64_t hi) { return "[" + to_string(lo) + ", " + to_string(hi) + "]"; }

void require_in(VerifyField field, std::int64_t value, std::int64_t lo, std::int64_t hi) {
  if (value < lo || value > hi)
    throw Rejection{field, to_string(value) + " is outside the allowed range " + range(lo, hi)};
}

// The ranges every request must keep, whatever its source.
void check_ranges(const VerifyRequest& r) {
  require_in(VerifyField::alphabet, r.alphabet, 2, kMaxAlphabet);
  require_in(VerifyField::ngram, r.ngram, 1, max_ngram(r.alphabet));
  if (r.length) require_in(VerifyField::length, *r.length, 1, kMaxVerifyLength);
  if (r.max_length) require_in(VerifyField::max_length, *r.max_length, 1, kMaxVerifyLength);
  if (r.samples) require_in(VerifyField::samples, *r.samples, 1, kMaxVerifySamples);
  require_in(VerifyField::threads, r.threads, 1, kMaxVerifyThreads);
  if (!(r.diagnostic_lambda_scale > 0.0 && r.diagnostic_lambda_scale <= 1.0))
    throw Rejection{VerifyField::diagnostic_lambda_scale, to_string(r.diagnostic_lambda_scale) + " is not in (0, 1]"};
}

// L and the number of strings for the request's source.
void size_source(const VerifyRequest& r, VerifyConfig& c) {
  switch (r.source) {
    case SourceKind::debruijn: {
      const std::int64_t period = power_or_minus_one(r.alphabet, r.ngram, kMaxDebruijnPeriod);
      if (period < 0)
        throw Rejection{VerifyField::ngram,
                        "de Bruijn B(D, n) needs D^n <= 2^40 (" + to_string(kMaxDebruijnPeriod) + ")"};
      const std::int64_t length = period + r.ngram - 1;
      if (r.length && *r.length != length)
        throw Rejection{VerifyField::length, "de Bruijn B(" + to_string(r.alphabet) + ", " + to_string(r.ngram) +
                                                 ") has length D^n + n - 1 = " + to_string(length) +
                                                 "; omit the length or give exactly that"};
      c.length = length;
      c.samples = r.samples.value_or(1);
      return;
    }
    case SourceKind::exhaustive:
      if (!r.length)
        throw Rejection{VerifyField::length, "required for source exhaustive (all D^L strings of length L)"};
      if (r.samples) throw Rejection{VerifyField::samples, "not used with source exhaustive (all D^L strings run)"};
      if (power_or_minus_one(r.alphabet, *r.length, kMaxExhaustiveStrings) < 0)
        throw Rejection{VerifyField::length,
                        "exhaustive enumeration needs D^L <= 2^26 (" + to_string(kMaxExhaustiveStrings) + ")"};
      c.length = *r.length;
      c.samples = 1;  // unused: source_count is D^L
      return;
    case SourceKind::uniform:
    case SourceKind::planted:
      if (!r.length) throw Rejection{VerifyField::length, "required for source " + to_string(r.source)};
      if (r.source == SourceKind::planted && *r.length < r.ngram + 1)
        throw Rejection{VerifyField::length, "source planted needs L >= n + 1 = " + to_string(r.ngram + 1) +
                                                 " (allowed range " + range(r.ngram + 1, kMaxVerifyLength) + ")"};
      c.length = *r.length;
      c.samples = r.samples.value_or(kDefaultVerifySamples);
      return;
  }
  throw Rejection{VerifyField::source, "unknown source"};
}

// The device's capability: usable, runs this model, and has room for it.
void check_device(const VerifyRequest& r, const VerifyDevice* device, VerifyPlan& plan) {
  if (!device) throw Rejection{VerifyField::device, "no device backend in this build"};
  if (!device->unavailable_reason.empty())
    throw Rejection{VerifyField::device, device->name + " is not usable: " + device->unavailable_reason};
  const CopyTransformer ct =
      build_copy_transformer(r.alphabet, r.ngram, plan.max_length, CopyTransformerOptions{r.diagnostic_lambda_scale});
  try {
    device->check_supported(ct);
  } catch (const std::invalid_argument& e) {
    throw Rejection{VerifyField::device, device->name + " cannot run this model: " + e.what()};
  }
  plan.device_memory_bytes = device->memory_needed(ct, 2 * plan.length + 2, plan.length + 1);
  if (plan.device_memory_bytes > device->memory_free)
    throw Rejection{VerifyField::length, "the " + device->name + " forward at L = " + to_string(plan.length) +
                                             " needs " + common::format_bytes(double(plan.device_memory_bytes)) +
                                             " of device memory, " + common::format_bytes(double(device->memory_free)) +
                                             " free"};
  plan.make_backend = device->make_backend;
  plan.backend = device->name + "-" + to_string(plan.config.precision);
}

VerifyPlan make_plan(const VerifyRequest& r, const VerifyEnvironment& env) {
  check_ranges(r);
  VerifyPlan plan;
  plan.shape = copy_transformer_shape(r.alphabet, r.ngram);  // in range: check_ranges kept n <= max_ngram(D)
  VerifyConfig& c = plan.config;
  c.alphabet = r.alphabet;
  c.ngram = r.ngram;
  c.source = r.source;
  c.seed = r.seed;
  c.threads = r.threads;
  c.diagnostic_lambda_scale = r.diagnostic_lambda_scale;
  c.device_forward = r.device;
  size_source(r, c);
  if (r.max_length && *r.max_length < c.length)
    throw Rejection{VerifyField::max_length, "the model must be built for L_max >= L = " + to_string(c.length) +
                                                 "; got " + to_string(*r.max_length) + " (allowed range " +
                                                 range(c.length, kMaxVerifyLength) + ")"};
  c.max_length = r.max_length.value_or(0);
  // A device runs layer 1 in float32 and layer 2 with exact integer scores: int8 or nothing.
  if (r.device && r.precision && *r.precision != Precision::int8)
    throw Rejection{VerifyField::precision,
                    "with a device forward layer 1 runs in fp32 and layer 2 in exact int8; use int8 or omit it"};
  c.precision = r.precision.value_or(r.device ? Precision::int8 : Precision::fp32);

  plan.length = source_length(c);
  plan.max_length = model_max_length(c);
  plan.strings = source_count(c);
  plan.layer2_pairs = static_cast<double>(plan.strings) * layer2_pairs_per_string(static_cast<double>(plan.length));
  const double rate = c.precision == Precision::int8 ? kCpuExactPairsPerSecond : kCpuFloatPairsPerSecond;
  plan.estimated_cpu_seconds =
      estimated_cpu_seconds(static_cast<double>(plan.strings), static_cast<double>(plan.length), rate, c.threads);
  const bool emulated = c.precision == Precision::bf16 || c.precision == Precision::fp16;
  plan.backend = (emulated ? "cpu-emulated-" : "cpu-") + to_string(c.precision);  // the backend's name()
  plan.memory_bytes = verify_memory_bytes(c);
  // Host memory before anything large: the device check below builds the model.
  if (env.available_memory_bytes != 0 && plan.memory_bytes > env.available_memory_bytes)
    throw Rejection{VerifyField::length, "verify at L = " + to_string(plan.length) + " needs " +
                                             common::format_bytes(double(plan.memory_bytes)) + " but only " +
                                             common::format_bytes(double(env.available_memory_bytes)) +
                                             " is available; choose a smaller value"};
  if (r.device) check_device(r, env.device, plan);
  return plan;
}

}  // namespace

VerifyPlanResult plan_verify(const VerifyRequest& request, const VerifyEnvironment& environment) {
  try {
    return VerifyPlanResult{make_plan(request, environment), std::nullopt};
  } catch (const Rejection& rejection) {
    return VerifyPlanResult{std::nullopt, VerifyPlanError{rejection.field, rejection.message}};
  }
}

}  // namespace copyproof::construction
