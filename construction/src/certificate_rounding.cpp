// The rounding model of the certificate (docs/certify.md, "Rounding model"), and the one
// bound every softmax step shares: how far a softmax-weighted average of +-1 codes lands
// from its target code, exact part and rounding together.

#include <cmath>
#include <limits>
#include <stdexcept>

#include "certificate_parts.hpp"

namespace copyproof::construction::certificate_detail {

double FormatModel::round_weight(double w) const {
  if (exact || precision == CertificatePrecision::fp64 || w == 0 || !std::isfinite(w)) return w;
  if (precision == CertificatePrecision::fp32 || precision == CertificatePrecision::int8)
    return static_cast<double>(static_cast<float>(w));
  // bf16 / fp16: round to nearest, ties to even, at the format's quantum (subnormals included).
  const int exponent = std::max(std::ilogb(w), storage_min_exponent);
  const double quantum = std::ldexp(1.0, exponent - (storage_precision_bits - 1));
  const double r = std::nearbyint(w / quantum) * quantum;  // w / quantum is exact (a power of two)
  if (std::fabs(r) > storage_max) return std::copysign(std::numeric_limits<double>::infinity(), w);
  return r;
}

FormatModel format_model(CertificatePrecision precision) {
  FormatModel f;
  f.precision = precision;
  constexpr double u64 = 0x1p-53, u32 = 0x1p-24;
  switch (precision) {
    case CertificatePrecision::exact: return f;
    case CertificatePrecision::fp64:
      f.exact = false;
      f.storage_u = f.arithmetic_u = u64;
      f.exp_u = kExpUlpsFp64 * 2 * u64;                  // one ulp of a number in [1, 2) is 2u
      f.underflow = std::numeric_limits<double>::min();  // see the binary32 case
      f.storage_max = std::numeric_limits<double>::max();
      return f;
    case CertificatePrecision::fp32:
    case CertificatePrecision::int8:  // layer 1 of the integer path runs in binary32
      f.exact = false;
      f.storage_u = f.arithmetic_u = u32;
      f.exp_u = kExpUlpsFp32 * 2 * u32;
      // A weight whose exact value is below the normal range may come out as 0 or as anything
      // below FLT_MIN: the float kernel's exp flushes there (float_lanes.hpp), and Eigen's
      // AVX-512 vectorised exp (the Eigen path) returns 0 for x < -87.683, off by up to 8.3e-39,
      // far from the smallest subnormal the term stated before (test "stated exp accuracy").
      f.underflow = std::numeric_limits<float>::min();
      f.storage_precision_bits = 24;
      f.storage_min_exponent = -126;
      f.storage_max = std::numeric_limits<float>::max();
      return f;
    case CertificatePrecision::bf16:
    case CertificatePrecision::fp16:
      f.exact = false;
      f.arithmetic_u = u32;
      f.exp_u = kExpUlpsFp32 * 2 * u32;
      f.underflow = std::numeric_limits<float>::min();  // as binary32
      if (precision == CertificatePrecision::bf16) {
        f.storage_u = 0x1p-8;
        f.storage_precision_bits = 8;
        f.storage_min_exponent = -126;
        f.storage_max = 0x1.FEp127;
      } else {
        f.storage_u = 0x1p-11;
        f.storage_precision_bits = 11;
        f.storage_min_exponent = -14;
        f.storage_max = 65504.0;
      }
      return f;
  }
  throw std::invalid_argument("format_model: unknown precision");
}

Interval chain_error(const FormatModel& f, double ops, double stores) {
  if (f.exact) return 0.0;
  const Interval a = Interval(1.0) + growth(f.arithmetic_u, ops);
  const Interval s = Interval(1.0) + growth(f.storage_u, stores);
  const Interval r = a * s - Interval(1.0);
  return {std::fmax(r.lo, 0.0), r.hi};
}

Inequality make_inequality(std::string name, std::string step, Interval lhs, Interval rhs) {
  Inequality q;
  q.name = std::move(name);
  q.step = std::move(step);
  q.lhs = lhs.hi;
  q.rhs = rhs.lo;
  q.margin = down(rhs.lo - lhs.hi);
  q.holds = lhs.hi < rhs.lo;  // NaN compares false: an undecidable side never holds
  return q;
}

RoundingFactors rounding_factors(const SoftmaxRounding& r, const FormatModel& f) {
  RoundingFactors k;
  k.exact = f.exact;
  if (f.exact) return k;
  // |log(computed weight / exact weight)| <= log_factor: the score's error, the argument of
  // exp (score - running max), exp's own error, and each online-softmax rescaling (an exp
  // of a difference of maxima, applied to the running sum and accumulator alike).
  const Interval ue = Interval(f.exp_u) / (Interval(1.0) - Interval(f.exp_u));  // >= -log(1 - u_e)
  const Interval per_rescale = r.shift_error + ue;
  const Interval log_factor = r.score_error + r.shift_error + ue + Interval(r.rescale_steps) * per_rescale;
  k.ratio_factor = exp(Interval(2.0) * log_factor);
  // Underflowed weights: absolute error <= underflow each, against a target weight >=
  // e^{-log_factor - 2 score_error} (the running max exceeds the target's score by at most that).
  k.underflow =
      Interval(r.keys) * Interval(f.underflow) * exp(Interval(2.0) * log_factor + Interval(2.0) * r.score_error);
  k.gamma = growth(f.arithmetic_u, r.sum_ops);
  k.nu = chain_error(f, r.value_ops, r.value_stores);
  k.output = chain_error(f, r.output_ops, r.output_stores);
  return k;
}

SoftmaxBound softmax_deviation(Interval exact_wrong_ratio, const RoundingFactors& k) {
  SoftmaxBound b;
  b.wrong_ratio = k.exact ? exact_wrong_ratio : exact_wrong_ratio * k.ratio_factor + k.underflow;
  b.wrong_ratio.lo = std::fmax(b.wrong_ratio.lo, 0.0);
  const Interval one = 1.0;
  b.target_mass = one / (one + b.wrong_ratio);
  const Interval off_target = b.wrong_ratio / (one + b.wrong_ratio);
  // Computed numerator sum_j w_j v_j (1 + eta_j), denominator sum_j w_j (1 + eta'_j),
  // |eta|, |eta'| <= gamma, values v_j (1 + nu_j) of +-1 codes; a wrong value differs from the
  // target by at most 2 per coordinate:
  //   |N / l - v*| <= [(1 + gamma)(2 + nu) rho + (1 + gamma) nu + 2 gamma] / (1 - gamma).
  const Interval pre =
      ((one + k.gamma) * (Interval(2.0) + k.nu) * off_target + (one + k.gamma) * k.nu + Interval(2.0) * k.gamma) /
      (one - k.gamma);
  b.deviation = pre + (one + pre) * k.output;
  return b;
}

}  // namespace copyproof::construction::certificate_detail
