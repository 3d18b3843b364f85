#pragma once
// Planning a copy check before it runs: one call that validates what was asked, fills in
// the defaults, sizes the run (strings, length, layer-2 pairs, host and device memory, a
// time estimate) and checks the backend's capability, returning either a plan that
// verify() runs or an error naming the offending field. `copyproof verify` maps the field
// to its flag ("--" + the field's name, '_' written '-') and holds no planning rule itself;
// its option ranges are the constants below, so the CLI and the library cannot drift.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/verifier.hpp"

namespace copyproof::construction {

// Longest string (and L_max) a check accepts: 2^40 tokens.
inline constexpr std::int64_t kMaxVerifyLength = std::int64_t{1} << 40;
// Most strings one check draws: 2^32.
inline constexpr std::int64_t kMaxVerifySamples = std::int64_t{1} << 32;
inline constexpr int kMaxVerifyThreads = 1024;
// --source exhaustive runs all D^L strings; D^L <= 2^26 keeps it a check, not a campaign.
inline constexpr std::int64_t kMaxExhaustiveStrings = std::int64_t{1} << 26;
// B(D, n) has D^n + n - 1 tokens; its period D^n must be <= 2^40 (kMaxVerifyLength).
inline constexpr std::int64_t kMaxDebruijnPeriod = kMaxVerifyLength;
// Strings per check when the request does not say: one de Bruijn string (seeded rotations
// after it), 100 random ones.
inline constexpr std::int64_t kDefaultVerifySamples = 100;

// Layer-2 query-key pairs a CPU thread sustains (docs/performance.md): the float forward
// about 0.5e9 a second, the exact integer path (bit planes) about 5e9 under load. Used for
// the time estimate only; nothing passes or fails on it.
inline constexpr double kCpuFloatPairsPerSecond = 0.5e9;
inline constexpr double kCpuExactPairsPerSecond = 5e9;
// The work of a string outside layer 2's pairs (drawing it, layer 1, the reference copier,
// the repeat check, the host finish), per string and per token of a CPU thread: without it
// a billion strings of 4 tokens (40 pairs each) were estimated at 80 s. Measured in CPU
// time (docs/performance.md, "verify's time estimate": 14 us a string at L = 4, and 4e-6 to
// 1.1e-5 s a token beyond the pairs at L = 1024 and 4096, most of it the margins' float64
// recompute); rounded up, for the estimate only.
inline constexpr double kCpuSecondsPerString = 1e-5;
inline constexpr double kCpuSecondsPerToken = 1e-5;

// Seconds `strings` strings of length `length` take on `threads` CPU threads at `pairs_per_second`:
// (strings pairs_per_string(L) / rate + strings (kCpuSecondsPerString + L kCpuSecondsPerToken)) / threads.
double estimated_cpu_seconds(double strings, double length, double pairs_per_second, int threads);

// What the caller asked for; an empty optional is "not given" (its default depends on the
// rest: samples on the source, precision on the device, L on the source).
struct VerifyRequest {
  int alphabet = 2;
  int ngram = 1;
  std::optional<std::int64_t> length;      // required except for de Bruijn (implied there)
  std::optional<std::int64_t> samples;     // not used with exhaustive
  std::optional<std::int64_t> max_length;  // L_max >= L; default L
  SourceKind source = SourceKind::uniform;
  std::uint64_t seed = 1;
  std::optional<Precision> precision;  // default fp32 on the CPU, int8 on a device
  bool device = false;                 // the forward on the device of VerifyEnvironment
  int threads = 1;
  double diagnostic_lambda_scale = 1.0;
};

// The request's fields, for errors. field_name gives "length", "max_length", ...
enum class VerifyField {
  alphabet,
  ngram,
  length,
  max_length,
  samples,
  source,
  precision,
  device,
  threads,
  diagnostic_lambda_scale
};
std::string_view field_name(VerifyField field);

// A device that can run the copy forward (gpu::verify_device() describes the GPU).
struct VerifyDevice {
  std::string name;                // "gpu"
  std::string unavailable_reason;  // empty when usable
  // Throws std::invalid_argument when the kernels cannot run this model.
  std::function<void(const CopyTransformer&)> check_supported;
  // Device bytes the forward holds at its peak for `positions` tokens and `outputs` predictions.
  std::function<std::uint64_t(const CopyTransformer&, std::int64_t positions, std::int64_t outputs)> memory_needed;
  std::uint64_t memory_free = 0;
  BackendFactory make_backend;
};

// What the machine offers. A limit of 0 is "unknown" and is not checked.
struct VerifyEnvironment {
  std::uint64_t available_memory_bytes = 0;
  const VerifyDevice* device = nullptr;  // needed when the request asks for one
};

struct VerifyPlan {
  VerifyConfig config;  // complete: what verify() runs
  CopyTransformerShape shape;
  std::int64_t strings = 0;               // D^L for exhaustive
  std::int64_t length = 0;                // L (D^n + n - 1 for de Bruijn)
  std::int64_t max_length = 0;            // L_max the model is built for
  double layer2_pairs = 0;                // strings * layer2_pairs_per_string(L), in double (may pass 2^63)
  std::uint64_t memory_bytes = 0;         // host peak (verify_memory_bytes)
  std::uint64_t device_memory_bytes = 0;  // device peak; 0 on the CPU
  double estimated_cpu_seconds = 0;       // estimated_cpu_seconds() for the precision's rate and the threads
  std::string backend;                    // "cpu-fp32", ..., or the device's name with "-int8"
  BackendFactory make_backend;            // empty: verify()'s CPU forward in config.precision
};

struct VerifyPlanError {
  VerifyField field;
  std::string message;  // one line, without the field's name; states the allowed range
};

struct VerifyPlanResult {
  std::optional<VerifyPlan> plan;
  std::optional<VerifyPlanError> error;
  bool ok() const { return plan.has_value(); }
};

// Never throws on bad input (every rejection is an error naming its field); may throw
// std::bad_alloc building the model for a device check, and std::runtime_error from the device.
VerifyPlanResult plan_verify(const VerifyRequest& request, const VerifyEnvironment& environment = {});

}  // namespace copyproof::construction
