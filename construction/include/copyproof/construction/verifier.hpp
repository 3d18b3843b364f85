#pragma once
// The copy check behind `copyproof verify` and `copyproof check`: build the copy
// transformer for L_max (>= L; L_max = L unless asked otherwise), run it teacher-forced on every string of a source,
// cross-check each prediction with the reference hash-copy algorithm, and report.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "copyproof/construction/copy_forward.hpp"
#include "copyproof/construction/copy_parameters.hpp"
#include "copyproof/construction/residual_labels.hpp"
#include "copyproof/construction/string_sources.hpp"
#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

struct VerifyConfig {
  int alphabet = 2;
  int ngram = 1;
  std::int64_t length = 0;  // ignored for de Bruijn sources (D^n + n - 1)
  // L_max the model is built for; 0 = the strings' length. Theorem 2.3 promises every
  // L <= L_max, so a model built for a larger L_max must copy these strings too.
  std::int64_t max_length = 0;
  std::int64_t samples = 1;  // ignored for exhaustive sources (D^L)
  SourceKind source = SourceKind::uniform;
  std::uint64_t seed = 0;
  Precision precision = Precision::fp32;
  int threads = 1;
  // The forward runs on a device (verify --device gpu): the host holds the per-output rows
  // it finishes, never the stream (verify_memory_bytes plans for that).
  bool device_forward = false;
  // Diagnostics: build a deliberately broken model (CopyTransformerOptions); 1 = the construction.
  double diagnostic_lambda_scale = 1.0;
};

// A string the check went wrong on, and where.
struct Counterexample {
  std::int64_t sample = -1;
  std::vector<Token> input;
  std::int64_t output_index = -1;  // k: the prediction of x_{k+1} (EOS at k = L)
  Token expected = -1;             // x_{k+1}, or EOS
  Token predicted = -1;
  std::int64_t matches = 0;  // keys holding the query's n-gram (1 = unique)
  bool repeated_ngram = false;
  double match_mass = -1;  // the matched key's mass, where the match is unique
  // The stream after the last layer at the failing query, by slice name (residual_labels.hpp);
  // empty for copy sequences over kMaxLabelledSequence.
  std::vector<SliceReading> residual;
};

struct VerifyReport {
  VerifyConfig config;
  std::int64_t length = 0;
  std::int64_t max_length = 0;  // L_max the model was built for (>= length)
  CopyParameters parameters;
  int d_model = 0;
  std::int64_t params = 0;

  std::int64_t strings = 0;
  std::int64_t strings_copied = 0;
  std::int64_t strings_with_repeat = 0;
  std::int64_t violations = 0;     // strings without a repeated n-gram that were not copied
  std::int64_t disagreements = 0;  // unique-match positions where transformer != reference
  std::int64_t unique_match_positions = 0;
  double string_error = 0;     // 1 - copied / strings
  double repeat_fraction = 0;  // strings_with_repeat / strings
  double lemma_bound = 0;      // min(1, C(L-n+1, 2) D^-n)
  double min_match_mass = 1;   // over unique-match positions
  // Unique-match predictions whose matched mass is not above the exact argmax threshold
  // (argmax_match_mass_threshold): the proof's step 3 failed there, right token or not.
  std::int64_t margin_failures = 0;
  double max_layer1_error = 0;  // max |stream after layer 1 - exact codes|
  std::int64_t pairs = 0;       // layer-2 query-key pairs evaluated
  double seconds = 0;
  double pairs_per_second = 0;

  std::string backend;              // which forward ran ("cpu-fp32", "gpu-int8", ...)
  bool certified = false;           // backends with exact integer scores certify their logits
  double score_rounding_bound = 0;  // max over strings (certified backends)
  double logit_error_bound = 0;     // max over strings (certified backends)
  std::int64_t uncertified_predictions = 0;
  double layer2_seconds = 0;  // summed over strings, where the backend measures it
  StageSeconds stages;        // per stage, summed over strings (copy_forward.hpp)

  std::optional<Counterexample> first_violation;
  std::optional<Counterexample> first_disagreement;
  std::optional<Counterexample> first_error;           // first string not copied (repeat or not)
  std::optional<Counterexample> first_margin_failure;  // predicted = the one at the low-mass position

  // The exit-0 condition: no violation, no disagreement, error <= repeat fraction, and the
  // matched mass above the exact argmax threshold at every unique match.
  bool pass() const {
    return violations == 0 && disagreements == 0 && string_error <= repeat_fraction && margin_failures == 0;
  }
};

// Lemma 2.4, sharper form: min(1, C(L - n + 1, 2) D^-n) bounds p_ngram under U_L. The
// double is the exact rational (ssm_bounds::lemma_bound_pairs) rounded, to within its last
// bit (a test holds it to that over a grid of D, n and L, edges included).
double lemma_bound(int alphabet, int ngram, std::int64_t length);

// Length of the strings `config` produces (D^n + n - 1 for de Bruijn).
std::int64_t source_length(const VerifyConfig& config);
// L_max the model is built for: config.max_length, or the strings' length when it is 0.
// Throws std::invalid_argument when it is below the strings' length.
std::int64_t model_max_length(const VerifyConfig& config);
// Strings `config` produces (D^L for exhaustive).
std::int64_t source_count(const VerifyConfig& config);
// Layer-2 query-key pairs of one teacher-forced string of length L: output k (0 <= k <= L)
// sees L + 2 + k keys, so the sum is (L + 1)(3L + 4) / 2 (the product is always even).
// One formula for the verifier's progress (std::int64_t) and the planner's estimate (double).
template <class Number>
constexpr Number layer2_pairs_per_string(Number length) {
  return (length + 1) * (3 * length + 4) / 2;
}
// Peak bytes verify() holds; callers check it against the machine before running.
std::uint64_t verify_memory_bytes(const VerifyConfig& config);

using BackendFactory = std::function<std::unique_ptr<CopyForwardBackend>(const CopyTransformer&)>;
using ProgressCallback = std::function<void(std::int64_t, std::int64_t)>;

// progress(done, total) is called from the calling thread now and then, in layer-2
// query-key pairs (so one long string reports as it goes). Without a backend
// factory the CPU forward runs in config.precision.
VerifyReport verify(const VerifyConfig& config, const ProgressCallback& progress = {},
                    const BackendFactory& backend = {});

}  // namespace copyproof::construction
