#pragma once
// The certificate's steps (private to construction/): the rounding model, the reading of
// the weights, and one function per proof step. certificate.cpp chains them.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "certificate_interval.hpp"
#include "copyproof/construction/certificate.hpp"
#include "copyproof/construction/transformer.hpp"

namespace copyproof::construction::certificate_detail {

// ---- rounding model (certificate_rounding.cpp) ----------------------------------------
// The standard model: each operation in a format with unit roundoff u returns
// (a op b)(1 + theta), |theta| <= u, or an absolute error <= `underflow` below the normal range
// (exp's results there may be flushed to 0).
struct FormatModel {
  CertificatePrecision precision = CertificatePrecision::exact;
  bool exact = true;
  double storage_u = 0;     // weights and stored activations (stream, q, k, v, head outputs)
  double arithmetic_u = 0;  // products, sums, the online softmax, the division
  double exp_u = 0;         // stated relative accuracy of exp in the arithmetic format
  double underflow = 0;     // smallest normal number of the arithmetic format (results below it: any error up to it)
  int storage_precision_bits = 53;   // significand bits of the storage format
  int storage_min_exponent = -1022;  // emin of the storage format
  double storage_max = 0;            // largest finite number of the storage format
  // The weight the forward holds: w rounded to nearest-even in the storage format.
  double round_weight(double w) const;
};
FormatModel format_model(CertificatePrecision precision);  // int8: the binary32 model of layer 1
// exp accuracy the model states, per arithmetic format (checked by a test against long double).
// Measured (test "stated exp accuracy"): <= 2.5 ulp for binary32 (std::exp and Eigen's
// vectorised exp over [-120, 0]); stated with a margin of 2 and more.
inline constexpr double kExpUlpsFp32 = 8;  // 8 ulp = 16 u
inline constexpr double kExpUlpsFp64 = 8;

// Relative error of a value after `ops` arithmetic operations and `stores` roundings to the
// storage format, each relative to the sum of absolute values (the standard model's gamma):
// (1 + u_a)^ops (1 + u_s)^stores - 1.
Interval chain_error(const FormatModel& f, double ops, double stores);

// ---- the weights, read (certificate_weights.cpp) --------------------------------------
// The most nonzero entries in a row of each projection: a dot product with k nonzero terms
// rounds like a sum of k terms (adding an exact zero is exact, fl(a + 0) = a), so these,
// not d_model, are the standard model's term counts.
struct Terms {
  double query = 0, key = 0, value = 0, output = 0;
};

struct Layer1Head {
  std::string name;
  std::int64_t lo = 0, hi = 0;            // window of i - j
  Interval slope;                         // the position slope alpha as the forward holds it
  Interval separator_bonus;               // content score <W_q x_i, W_k x_j> of a separator key j (letters: 0)
  int slice_offset = 0, slice_width = 0;  // the slice it writes
  bool writes_key = false;                // k_m (read by layer 2's keys) or q_m (by its queries)
  Terms terms;                            // nonzero terms of its dot products
};

struct FormEntry {     // one entry (a, b) of the layer-2 bilinear form M = W_q^T W_k
  Interval value;      // M[a, b]
  double abs_sum = 0;  // sum_r |W_q[r, a] W_k[r, b]| (rounded up): what the dot product's rounding scales with
};

struct WeightReading {
  int code_bits = 0, ngram = 0, d_model = 0, vocab = 0;
  std::vector<Layer1Head> layer1;
  std::map<std::pair<int, int>, FormEntry> form;  // nonzero entries of M (stream coordinates)
  std::vector<std::pair<int, int>> aligned;       // (query coordinate, key coordinate) of the code blocks
  int one_coordinate = 0, bos_coordinate = 0, sep_coordinate = 0;
  int layer2_key_width = 0;  // d_k of layer 2
  Terms layer2_terms;
  double unembedding_terms = 0;  // most nonzeros in a row of U
  double integer_score_unit = 0;
  double unembedding_row_l1 = 0;                  // max_a sum_c |U[a, c]|
  std::vector<double> code_coordinate_deviation;  // filled by layer 1: per stream coordinate
  std::vector<std::vector<std::pair<int, double>>> layer2_query_rows, layer2_key_rows;  // nonzeros per row
  std::vector<Inequality> structure;         // the "structure.*" and "code_gap" inequalities
  std::vector<Inequality> layer2_structure;  // those of layer 2 (re-read per candidate L_max)
};
WeightReading read_weights(const Transformer& model, int alphabet, int ngram, const FormatModel& f);
// Re-reads layer 2 only (its weights are the ones that depend on L_max): replaces the form,
// the rows and layer2_structure.
void read_layer2(WeightReading& w, const Transformer& model, const FormatModel& f);

// ---- inequalities ---------------------------------------------------------------------
// lhs < rhs, decided on the enclosures.
Inequality make_inequality(std::string name, std::string step, Interval lhs, Interval rhs);

// Deviation of a softmax-weighted average of +-1 codes from its target code, per coordinate,
// in format f: wrong_ratio encloses (weight off target) / (weight on target) in exact
// arithmetic; keys is the number of keys; score_error bounds each score's absolute error;
// shift_error each (score - max) argument's; sum_ops the rounded operations a key's weight
// goes through in the sums; rescale_steps the online softmax's rescalings of a weight.
struct SoftmaxRounding {
  double keys = 0;
  Interval score_error = 0.0;
  Interval shift_error = 0.0;
  double sum_ops = 0;
  double rescale_steps = 0;
  double value_ops = 0, value_stores = 0;    // how the values are computed
  double output_ops = 0, output_stores = 0;  // from the normalised sum to the stream
};
struct SoftmaxBound {
  Interval wrong_ratio;  // with rounding
  Interval target_mass;  // 1 / (1 + wrong_ratio)
  Interval deviation;    // |computed coordinate - target code|
};
// The parts of the bound that do not depend on the exact ratio (computed once per head).
struct RoundingFactors {
  bool exact = true;
  Interval ratio_factor = 1.0;  // computed / exact wrong ratio <= this
  Interval underflow = 0.0;     // plus this (underflowed weights)
  Interval gamma = 0.0, nu = 0.0, output = 0.0;
};
RoundingFactors rounding_factors(const SoftmaxRounding& r, const FormatModel& f);
SoftmaxBound softmax_deviation(Interval exact_wrong_ratio, const RoundingFactors& k);
inline SoftmaxBound softmax_deviation(Interval exact_wrong_ratio, const SoftmaxRounding& r, const FormatModel& f) {
  return softmax_deviation(exact_wrong_ratio, rounding_factors(r, f));
}

// ---- proof steps ----------------------------------------------------------------------
// Step 1 (layer 1): every feasible window pattern of every head; writes
// reading.code_coordinate_deviation; returns delta = the largest deviation.
Interval certify_layer1(WeightReading& reading, std::int64_t max_length, const FormatModel& f,
                        std::vector<Inequality>& out);

struct Layer2Result {
  Interval perturbation;   // eta: |score - exact level score|
  Interval gap;            // matched score minus any other key's, lower end
  Interval match_mass;     // w (with the rounding of format f folded in)
  Interval out_deviation;  // |out coordinate - matched value code|
};
// Steps 2-3 (layer 2): gap, BOS, matched mass over T = 2 L_max + 2 keys.
Layer2Result certify_layer2(const WeightReading& reading, std::int64_t max_length, const FormatModel& f,
                            std::vector<Inequality>& out);
// int8: layer 1's distance to integers, the int8/int32 ranges and the level softmax.
Layer2Result certify_layer2_int8(const WeightReading& reading, std::int64_t max_length,
                                 const FormatModel& layer1_format, std::vector<Inequality>& out);
// Step 4 (unembedding): the argmax is the copied token: out deviation + logit rounding < 1.
void certify_unembedding(const WeightReading& reading, const Layer2Result& layer2, const FormatModel& f,
                         std::vector<Inequality>& out);

}  // namespace copyproof::construction::certificate_detail
