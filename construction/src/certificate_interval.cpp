#include "certificate_interval.hpp"

#include <numbers>

namespace copyproof::construction::certificate_detail {
namespace {

constexpr int kTaylorDegree = 20;

// 3 / (kTaylorDegree + 1)!: for 0 <= f < 1 the Taylor remainder of e^f after degree 20 is
// e^xi f^21 / 21! <= e / 21! < 3 / 21!.
Interval taylor_remainder() {
  Interval r = 3.0;
  for (int i = 2; i <= kTaylorDegree + 1; ++i) r = r / Interval(static_cast<double>(i));
  return {0.0, r.hi};
}

Interval power(Interval base, std::int64_t k) {  // base^k, k >= 0, base > 0
  Interval result = 1.0;
  while (k > 0) {
    if (k & 1) result = result * base;
    base = base * base;
    k >>= 1;
  }
  return result;
}

}  // namespace

Interval exp_point(double x) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (std::isnan(x)) return {0.0, inf};
  if (x > 709.0) return {exp_point(709.0).lo, inf};
  if (x < -745.0) return {0.0, std::numeric_limits<double>::denorm_min()};
  const double k = std::floor(x);
  const double f = x - k;  // exact: x and floor(x) share their exponent range
  Interval sum = 1.0, term = 1.0;
  for (int i = 1; i <= kTaylorDegree; ++i) {
    term = term * Interval(f) / Interval(static_cast<double>(i));
    sum = sum + term;
  }
  sum = sum + taylor_remainder();
  const Interval e{down(std::numbers::e), up(std::numbers::e)};
  const auto kk = static_cast<std::int64_t>(k);
  const Interval ek = kk >= 0 ? power(e, kk) : Interval(1.0) / power(e, -kk);
  Interval r = sum * ek;
  r.lo = std::fmax(r.lo, 0.0);
  return r;
}

Interval growth(double u, double k) {
  const Interval ku = Interval(k) * Interval(u);
  return {ku.lo, up(exp(ku).hi - 1.0)};
}

}  // namespace copyproof::construction::certificate_detail
