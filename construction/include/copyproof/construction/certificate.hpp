#pragma once
// The certificate of Theorem 2.3 for one concrete model (docs/certify.md): from the
// WEIGHTS of a built copy transformer (the matrices are read; the formulas that built them
// are not used), a finite list of named inequalities whose truth implies that the model
// copies every string of length <= L_max without a repeated n-gram, teacher-forced at every
// position, in the arithmetic named by the precision.
//
// Every inequality reads `lhs < rhs` (strict). Both sides are evaluated in interval
// arithmetic on doubles with outward rounding (every operation's result widened by one
// ulp, exp enclosed by a Taylor series with a remainder bound; certificate_interval.hpp),
// so `holds` is decided rigorously; `lhs` is reported as the upper end of its interval,
// `rhs` as the lower end, and `margin = rhs - lhs` (rounded down).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/transformer.hpp"

namespace copyproof::construction {

// Largest L_max the certificate accepts (T = 2 L_max + 2 keys stays far inside int64).
inline constexpr std::int64_t kMaxCertifiedLength = 1'000'000'000'000'000'000;

// The arithmetic the certificate is about (the rounding model of each: docs/certify.md).
//   exact: real arithmetic on the stored float64 weights;
//   fp64 / fp32: every weight, activation and operation in that binary format (the CPU forward);
//   bf16 / fp16: weights and stored activations (stream, q, k, v, head outputs) rounded to the
//                format, products, sums, exp and the softmax in binary32;
//   int8: layer 1 in binary32, layer 2 on integer-rounded queries/keys/values with the
//         level softmax of level_softmax.hpp evaluated in binary64.
enum class CertificatePrecision { exact, fp64, fp32, bf16, fp16, int8 };
std::string to_string(CertificatePrecision precision);
std::optional<CertificatePrecision> parse_certificate_precision(std::string_view name);

struct Inequality {
  std::string name;  // stable id, e.g. "layer1.k3.bos_at_2.copy_at_none"
  std::string step;  // the proof step it stands for (docs/construction.md / docs/certify.md)
  double lhs = 0;    // upper end of the left side's enclosure
  double rhs = 0;    // lower end of the right side's enclosure
  bool holds = false;
  double margin = 0;  // rhs - lhs, rounded down
};

struct Certificate {
  int alphabet = 0;
  int ngram = 0;
  std::int64_t max_length = 0;
  CertificatePrecision precision = CertificatePrecision::exact;
  int d_model = 0;
  std::vector<Inequality> inequalities;
  bool certified = false;  // every inequality holds
  // The first failing inequality, or else the one with the smallest relative margin
  // (margin / max(|rhs|, 1)): the weakest link of the proof.
  std::string weakest;
  double min_margin = 0;  // that inequality's margin
  // Numbers carried between the proof steps (for reports; each is also in an inequality).
  double layer1_deviation = 0;    // delta: max deviation of a gathered code coordinate
  double score_perturbation = 0;  // eta: max |score - exact integer-level score| (layer 2)
  double match_mass_lower = 0;    // w: lower bound on the matched key's softmax mass
  const Inequality* first_failure() const;
};

// Certifies `model` as a copy transformer over D letters with n-grams for strings of length
// <= max_length. Throws std::invalid_argument when the model's shape does not fit (D, n)
// (vocab D + 3, d_model (2n + 1) b + 3); weights that are not of the construction's form
// give failing "structure.*" inequalities, not exceptions.
Certificate certify_copy_transformer(const Transformer& model, int alphabet, int ngram, std::int64_t max_length,
                                     CertificatePrecision precision);

// Largest L_max in [1, limit] for which build_copy_transformer(D, n, L_max) is certified at
// `precision` (binary search; the L-dependent layer is rebuilt for every candidate, memory
// does not grow with L). 0 when even L_max = 1 fails. Assumes, and docs/certify.md argues,
// that certification is monotone in L_max for the built models; the returned length's
// certificate is recomputed and returned in `at_max`.
struct MaxLengthSearch {
  std::int64_t max_certified_length = 0;
  int candidates = 0;
  std::optional<Certificate> at_max;
};
MaxLengthSearch find_max_certified_length(int alphabet, int ngram, CertificatePrecision precision,
                                          std::int64_t limit = kMaxCertifiedLength);

}  // namespace copyproof::construction
