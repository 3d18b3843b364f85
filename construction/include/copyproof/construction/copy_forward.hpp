#pragma once
// One teacher-forced pass of the copy transformer, as the verifier consumes it. The CPU
// backend runs the generic float forward; the GPU backend (gpu/) runs the same weights
// with exact integer layer-2 scores. The verifier does not know which ran.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "copyproof/construction/copy_transformer.hpp"

namespace copyproof::construction {

// fp32, fp64: the generic float forward. int8: layer 1 in float32, the last layer with
// exact integer scores (integer_attention.hpp), as the GPU runs it. bf16, fp16: the
// emulated low-precision forward (emulated_forward.hpp: which operations are rounded).
enum class Precision { fp32, fp64, int8, bf16, fp16 };
std::string to_string(Precision precision);
std::optional<Precision> parse_precision(std::string_view name);

struct CopyForwardRequest {
  std::span<const Token> sequence;           // BOS x COPY x
  std::span<const std::int64_t> outputs;     // the L + 1 predicted positions
  std::span<const std::int64_t> probe_keys;  // per output: the key whose softmax mass to report, or -1
  int threads = 1;
  // Optional: called on the calling thread now and then with the layer-2 query-key pairs
  // done so far (backends that can tell; for progress on one long string).
  std::function<void(std::int64_t)> progress;
};

// Seconds spent per stage (`verify --json` "stage_seconds"); backends fill what they run,
// the verifier the rest. Summed over strings.
struct StageSeconds {
  double forward = 0;       // float paths: both layers in one generic forward
  double layer1 = 0;        // exact path: layer 1 (banded heads), rounding and packing layer 2's inputs
  double layer1_check = 0;  // layer 1's stream against its exact codes
  double layer2 = 0;        // exact path: layer-2 attention by levels and each row's logits
  double margins = 0;       // probe masses and certified margins
  double reference = 0;     // the reference hash copier
  double repeats = 0;       // repeated n-gram detection
  void add(const StageSeconds& o) {
    forward += o.forward;
    layer1 += o.layer1;
    layer1_check += o.layer1_check;
    layer2 += o.layer2;
    margins += o.margins;
    reference += o.reference;
    repeats += o.repeats;
  }
};

struct CopyForwardResult {
  std::vector<Token> predictions;  // per output
  std::vector<double> probe_mass;  // per output: layer-2 softmax mass on the probe key (NaN without one)
  double max_layer1_error = 0;     // max |stream after layer 1 - exact codes|
  // Paths with exact integer scores certify their logits: every logit is within
  // logit_error_bound of exact real arithmetic on the unrounded scores; `uncertified` counts
  // predictions whose top-two margin is not above twice that (exact or near ties).
  bool certified = false;
  double score_rounding_bound = 0;
  double logit_error_bound = 0;
  std::int64_t uncertified = 0;
  double layer2_seconds = 0;  // time in layer 2 alone, where the backend measures it
  StageSeconds stages;
};

class CopyForwardBackend {
 public:
  virtual ~CopyForwardBackend() = default;
  virtual std::string name() const = 0;
  // Whether run() may be called from several threads at once.
  virtual bool concurrent() const = 0;
  virtual CopyForwardResult run(const CopyForwardRequest& request) const = 0;
};

std::unique_ptr<CopyForwardBackend> make_cpu_backend(const CopyTransformer& model, Precision precision);

// Fills the certification fields of `result` from an integer last layer: bounds, and the
// predictions whose margin is not above twice the logit error bound.
struct IntegerLastLayer;
void certify(const IntegerLastLayer& integer, CopyForwardResult& result);

}  // namespace copyproof::construction
