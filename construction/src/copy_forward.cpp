#include "copyproof/construction/copy_forward.hpp"
#include "copyproof/common/stopwatch.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include "copyproof/construction/emulated_forward.hpp"
#include "copyproof/construction/exact_copy_forward.hpp"
#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/integer_attention.hpp"
#include "copyproof/construction/layer1_reference.hpp"

namespace copyproof::construction {

std::string to_string(Precision precision) {
  switch (precision) {
    case Precision::fp32: return "fp32";
    case Precision::fp64: return "fp64";
    case Precision::int8: return "int8";
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
  }
  return "?";
}

std::optional<Precision> parse_precision(std::string_view name) {
  for (Precision precision : {Precision::fp32, Precision::fp64, Precision::int8, Precision::bf16, Precision::fp16})
    if (to_string(precision) == name) return precision;
  return std::nullopt;
}

namespace {

using Clock = std::chrono::steady_clock;
using common::seconds_since;

template <class Scalar>
class CpuBackend final : public CopyForwardBackend {
 public:
  explicit CpuBackend(const CopyTransformer& ct) : ct_(ct), typed_(ct.model) {}
  std::string name() const override { return sizeof(Scalar) == 4 ? "cpu-fp32" : "cpu-fp64"; }
  bool concurrent() const override { return true; }

  CopyForwardResult run(const CopyForwardRequest& request) const override {
    auto start = Clock::now();
    const ForwardResult<Scalar> forward_result =
        forward(typed_, request.sequence, request.outputs, ForwardOptions{request.threads});
    CopyForwardResult r;
    r.stages.forward = seconds_since(start);
    r.predictions = forward_result.predictions;
    start = Clock::now();
    r.max_layer1_error = ExactLayer1(ct_.vocab, ct_.layout, request.sequence)
                             .max_deviation(forward_result.last_layer_input.data(), request.threads);
    r.stages.layer1_check = seconds_since(start);
    start = Clock::now();
    const LastLayerScores<Scalar> scores(typed_, forward_result, request.outputs, 0, request.threads);
    r.probe_mass.assign(request.outputs.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t k = 0; k < request.outputs.size(); ++k)
      if (request.probe_keys[k] >= 0)
        r.probe_mass[k] = scores.mass(static_cast<std::int64_t>(k), request.probe_keys[k]);
    r.stages.margins = seconds_since(start);
    return r;
  }

 private:
  const CopyTransformer& ct_;
  TypedTransformer<Scalar> typed_;
};

// Layer 1 in float32, layer 2 with exact integer scores: the GPU's arithmetic on the CPU.
// The copy transformer runs streamed, from bit planes (exact_copy_forward.hpp); a model it
// does not support takes the whole-sequence integer path below, with the same results.
class CpuIntegerBackend final : public CopyForwardBackend {
 public:
  explicit CpuIntegerBackend(const CopyTransformer& ct) : ct_(ct), typed_(ct.model) {}
  std::string name() const override { return "cpu-int8"; }
  bool concurrent() const override { return true; }

  CopyForwardResult run(const CopyForwardRequest& request) const override {
    if (exact_forward_supported(typed_)) return exact_copy_forward(ct_, typed_, request);
    const RowMatrix<float> x = forward_to_last_layer(typed_, request.sequence, ForwardOptions{request.threads});
    const IntegerLastLayer integer = integer_last_layer(typed_, x, request.outputs, request.threads);
    CopyForwardResult r;
    r.predictions = integer.predictions;
    r.max_layer1_error = ExactLayer1(ct_.vocab, ct_.layout, request.sequence).max_deviation(x.data(), request.threads);
    certify(integer, r);
    const IntegerHeadInputs& head = integer.heads[0];
    r.probe_mass.assign(request.outputs.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t k = 0; k < request.outputs.size(); ++k)
      if (request.probe_keys[k] >= 0) {
        const double score = head.unit * integer_score(head, static_cast<std::int64_t>(k), request.probe_keys[k]);
        r.probe_mass[k] = std::exp(score - integer.log_normalizer(static_cast<Eigen::Index>(k), 0));
      }
    return r;
  }

 private:
  const CopyTransformer& ct_;
  TypedTransformer<float> typed_;
};

// bf16 / fp16: every operation of the forward rounded to the format as emulated_forward.hpp
// states; the match mass in float64 from the run's stored (rounded) queries and keys.
class CpuEmulatedBackend final : public CopyForwardBackend {
 public:
  CpuEmulatedBackend(const CopyTransformer& ct, FloatFormat format) : ct_(ct), emulated_(ct.model, format) {}
  std::string name() const override { return "cpu-emulated-" + to_string(emulated_.format); }
  bool concurrent() const override { return true; }

  CopyForwardResult run(const CopyForwardRequest& request) const override {
    const EmulatedForwardResult f = emulated_forward(emulated_, request.sequence, request.outputs, request.threads);
    CopyForwardResult r;
    r.predictions = f.predictions;
    r.max_layer1_error =
        ExactLayer1(ct_.vocab, ct_.layout, request.sequence).max_deviation(f.last_layer_input.data(), request.threads);
    r.probe_mass.assign(request.outputs.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t k = 0; k < request.outputs.size(); ++k)
      if (request.probe_keys[k] >= 0)
        r.probe_mass[k] =
            emulated_key_mass(emulated_, f, request.outputs, 0, static_cast<std::int64_t>(k), request.probe_keys[k]);
    return r;
  }

 private:
  const CopyTransformer& ct_;
  EmulatedTransformer emulated_;
};

}  // namespace

void certify(const IntegerLastLayer& integer, CopyForwardResult& result) {
  result.certified = true;
  result.score_rounding_bound = integer.score_rounding_bound;
  result.logit_error_bound = integer.logit_error_bound;
  result.uncertified = 0;
  for (double margin : integer.margins) result.uncertified += margin > 2 * integer.logit_error_bound ? 0 : 1;
}

std::unique_ptr<CopyForwardBackend> make_cpu_backend(const CopyTransformer& model, Precision precision) {
  if (precision == Precision::int8) return std::make_unique<CpuIntegerBackend>(model);
  if (precision == Precision::bf16) return std::make_unique<CpuEmulatedBackend>(model, FloatFormat::bf16);
  if (precision == Precision::fp16) return std::make_unique<CpuEmulatedBackend>(model, FloatFormat::fp16);
  if (precision == Precision::fp64) return std::make_unique<CpuBackend<double>>(model);
  return std::make_unique<CpuBackend<float>>(model);
}

}  // namespace copyproof::construction
