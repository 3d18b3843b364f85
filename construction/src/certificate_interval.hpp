#pragma once
// Interval arithmetic on doubles with outward rounding, for the certificate.
//
// IEEE 754 +, -, *, / are correctly rounded to nearest; widening each result by one ulp
// outward (std::nextafter) therefore gives an interval that contains the real result. This
// file is compiled with -ffp-contract=off (construction/CMakeLists.txt), so no two of these
// operations are fused. exp is enclosed without trusting libm: x = k + f with k = floor(x)
// (x - floor(x) is exact in binary64), e^k by repeated squaring of an enclosure of e, and
// e^f by its Taylor series to degree 20 plus the remainder bound 0 <= R <= 3 / 21!.

#include <cmath>
#include <cstdint>
#include <limits>

namespace copyproof::construction::certificate_detail {

inline double down(double x) { return std::nextafter(x, -std::numeric_limits<double>::infinity()); }
inline double up(double x) { return std::nextafter(x, std::numeric_limits<double>::infinity()); }

struct Interval {
  double lo = 0, hi = 0;
  Interval() = default;
  Interval(double x) : lo(x), hi(x) {}  // NOLINT: exact doubles convert implicitly
  Interval(double l, double h) : lo(l), hi(h) {}
};

inline Interval operator+(Interval a, Interval b) { return {down(a.lo + b.lo), up(a.hi + b.hi)}; }
inline Interval operator-(Interval a, Interval b) { return {down(a.lo - b.hi), up(a.hi - b.lo)}; }
inline Interval operator-(Interval a) { return {-a.hi, -a.lo}; }
inline Interval operator*(Interval a, Interval b) {
  const double p[4] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
  double l = p[0], h = p[0];
  for (double x : p) {
    l = std::fmin(l, x);
    h = std::fmax(h, x);
  }
  return {down(l), up(h)};
}
// b must not contain 0 (callers divide by sums of positive weights).
inline Interval operator/(Interval a, Interval b) {
  const double p[4] = {a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi};
  double l = p[0], h = p[0];
  for (double x : p) {
    l = std::fmin(l, x);
    h = std::fmax(h, x);
  }
  return {down(l), up(h)};
}
inline Interval hull(Interval a, Interval b) { return {std::fmin(a.lo, b.lo), std::fmax(a.hi, b.hi)}; }
inline Interval abs_hull(Interval a) {  // {|x| : x in a}
  if (a.lo >= 0) return a;
  if (a.hi <= 0) return -a;
  return {0.0, std::fmax(-a.lo, a.hi)};
}
inline Interval max(Interval a, Interval b) { return {std::fmax(a.lo, b.lo), std::fmax(a.hi, b.hi)}; }
inline Interval min(Interval a, Interval b) { return {std::fmin(a.lo, b.lo), std::fmin(a.hi, b.hi)}; }

// An enclosure of e^x for one double x.
Interval exp_point(double x);
// An enclosure of {e^x : x in a} (exp is increasing).
inline Interval exp(Interval a) { return {exp_point(a.lo).lo, exp_point(a.hi).hi}; }
// (1 + u)^k - 1 for u >= 0, k >= 0, enclosed via e^{k log1p(u)} bounds:
// k u <= (1 + u)^k - 1 <= e^{k u} - 1.
Interval growth(double u, double k);

}  // namespace copyproof::construction::certificate_detail
