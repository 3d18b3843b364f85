// The hand-written float attention kernel (float_attention.cpp): its exp, its two forms
// (AVX-512 and portable: identical bits), and both against a float64 reference and the Eigen
// path within the certificate's rounding model, at lengths around every tile edge.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "../../construction/src/certificate_parts.hpp"
#include "../tile_edges.hpp"
#include "copyproof/common/random.hpp"
#include "copyproof/construction/attention.hpp"

using namespace copyproof;
using namespace copyproof::construction;

namespace {

constexpr double kU = 0x1p-24;  // binary32 unit roundoff

std::vector<FloatAttentionKernel> lane_kernels() {
  std::vector<FloatAttentionKernel> k = {FloatAttentionKernel::portable};
  if (avx512_float_attention_compiled()) k.push_back(FloatAttentionKernel::avx512);
  return k;
}

struct Problem {
  RowMatrix<float> q, k, v;
  std::vector<std::int64_t> positions;
  double slope = 0;
  RelativeWindow window;
};

Problem random_problem(Rng& rng, std::int64_t keys, int dk, int dv, double scale, RelativeWindow window, double slope) {
  Problem p;
  p.q.resize(0, dk);
  for (std::int64_t j = 0; j < keys; ++j)
    if (j % 3 != 1 || j == keys - 1) p.positions.push_back(j);  // gaps between query positions, the last key included
  p.q.resize(static_cast<Eigen::Index>(p.positions.size()), dk);
  p.k.resize(keys, dk);
  p.v.resize(keys, dv);
  for (Eigen::Index i = 0; i < p.q.size(); ++i) p.q.data()[i] = static_cast<float>(scale * rng.normal());
  for (Eigen::Index i = 0; i < p.k.size(); ++i) p.k.data()[i] = static_cast<float>(scale * rng.normal());
  for (Eigen::Index i = 0; i < p.v.size(); ++i) p.v.data()[i] = static_cast<float>(rng.normal());
  p.slope = slope;
  p.window = window;
  return p;
}

struct Result {
  RowMatrix<float> out;
  std::vector<float> lse;
};

Result run(const Problem& p, FloatAttentionKernel kernel, int threads) {
  Result r;
  r.out.resize(p.q.rows(), p.v.cols());
  r.lse.resize(static_cast<std::size_t>(p.q.rows()));
  const AttentionProblem<float> ap{p.q, p.positions, p.k, p.v, p.slope, p.window};
  attend_float(ap, r.out, r.lse.data(), threads, kernel);
  return r;
}

// |computed - exact| the certificate's rounding model allows for one row (docs/certify.md):
// each score off by gamma_{d_k + 2} sum |q_c k_c| (+ the slope term), the shift by u |x|, exp by
// kExpUlpsFp32 at each weight and at each tile's rescaling; sums of at most kAttentionKeyTile
// terms per tile plus 2 operations per tile; a flushed weight off by < FLT_MIN.
struct RowBound {
  double out = 0, lse = 0;
};

RowBound model_bound(const Problem& p, const std::vector<double>& scores, const std::vector<double>& abs_terms,
                     double max_abs_value, double m) {
  const double dk = static_cast<double>(p.q.cols());
  double e_score = 0, range = 0;
  for (std::size_t j = 0; j < scores.size(); ++j) {
    e_score = std::max(e_score, (dk + 2) * kU / (1 - (dk + 2) * kU) * abs_terms[j]);
    range = std::max(range, m - scores[j]);
  }
  range = std::min(range, 200.0);  // beyond -87.3 a weight is flushed; its error is the FLT_MIN term
  const double tiles = std::ceil(static_cast<double>(scores.size()) / kAttentionKeyTile) + 2;
  const double exp_rel = certificate_detail::kExpUlpsFp32 * 0x1p-23;  // one ulp of [1, 2) is 2u
  const double log_factor = 2 * e_score + 2 * kU * (std::fabs(m) + range) + (tiles + 1) * (exp_rel + 2 * kU * range);
  const double rho = std::expm1(2 * log_factor);
  const double gamma = (kAttentionKeyTile + 2 * tiles + 4) * kU * 1.01;
  const double flushed = static_cast<double>(scores.size()) * std::numeric_limits<float>::min();
  RowBound b;
  b.out = (2 * rho / (1 - rho) + 4 * gamma) * max_abs_value + 4 * flushed * max_abs_value + 1e-37;
  b.lse = 2 * log_factor + 2 * gamma + 4 * kU * (std::fabs(m) + 1);
  return b;
}

}  // namespace

TEST_CASE("float attention exp: the flush threshold, exactly 0 below, exactly 1 at 0, within the stated ulps above") {
  // The threshold is the smallest float x with e^x >= FLT_MIN = 2^-126, i.e. x >= -126 ln 2.
  const long double boundary = -126.0L * std::log(2.0L);
  float threshold = 0;
  for (float x = -88.0f; x < -87.0f; x = std::nextafter(x, 0.0f))
    if (static_cast<long double>(x) >= boundary) {
      threshold = x;
      break;
    }
  CHECK(threshold == -87.33654022216796875f);
  CHECK(attention_exp(threshold) >= std::numeric_limits<float>::min());  // the first kept argument: a normal weight
  CHECK(attention_exp(std::nextafter(threshold, -1000.0f)) == 0.0f);
  for (float x :
       {-87.34f, -87.5f, -87.7f, -88.0f, -100.0f, -103.98f, -200.0f, -1e30f, -std::numeric_limits<float>::infinity()})
    CHECK(attention_exp(x) == 0.0f);
  CHECK(attention_exp(0.0f) == 1.0f);
  CHECK(attention_exp(-0.0f) == 1.0f);
  // Every float in [threshold, 0] that this walk visits (4e5: 2e5 spread evenly, and the 1e5
  // consecutive floats above the threshold and below 0): relative error <= half the stated kExpUlpsFp32, as the
  // stated-accuracy test holds the other exps to.
  double worst = 0;
  auto check = [&](float x) {
    const long double ref = std::exp(static_cast<long double>(x));
    const float got = attention_exp(x);
    REQUIRE(got > 0.0f);
    worst = std::max(worst, static_cast<double>(std::fabs((got - ref) / ref)));
  };
  for (int i = 0; i <= 200000; ++i) check(static_cast<float>(threshold * (i / 2e5)));
  float x = threshold;
  for (int i = 0; i < 100000; ++i, x = std::nextafter(x, 0.0f)) check(x);
  x = -0.0f;
  for (int i = 0; i < 100000; ++i) check(x = std::nextafter(x, -1.0f));
  MESSAGE("largest relative error of the float kernel's exp: " << worst);
  CHECK(worst <= certificate_detail::kExpUlpsFp32 * 0x1p-23 / 2);
}

TEST_CASE(
    "float attention kernels: identical bits in both forms; within the rounding model of float64 and of the Eigen "
    "path") {
  Rng rng(2026);
  const RelativeWindow causal{}, wide_band{2, 300};
  // Key counts around the lanes, the score passes, one and two key tiles; query counts (2/3
  // of the keys) around the query block and a row pass; all from the kernel's constants
  // (attention.hpp), so a tile changed for speed moves these lengths with it.
  std::vector<std::int64_t> lengths =
      copyproof::testing::around({kFloatKernelLanes, kFloatKernelKeysPerPass, 3 * kAttentionQueryBlock / 2,
                                  kAttentionKeyTile, 2 * kAttentionKeyTile});
  for (const std::int64_t n : {std::int64_t{1}, std::int64_t{2}, std::int64_t{3 * kFloatKernelRowsPerPass / 2},
                               3 * kAttentionKeyTile / 2 + 1, 3 * kAttentionKeyTile + 3})
    lengths.push_back(n);
  int checked = 0;
  for (std::int64_t keys : lengths) {
    const int dk = std::vector<int>{1, 3, 25, 41}[static_cast<std::size_t>(checked % 4)];
    const int dv = std::vector<int>{3, 1, 8, 2}[static_cast<std::size_t>(checked % 4)];
    // Scale 3: scores spread over hundreds, so many weights are flushed; 0.4: none are.
    const double scale = checked % 2 == 0 ? 3.0 : 0.4;
    const RelativeWindow window = checked % 3 == 2 ? wide_band : causal;
    const double slope = checked % 5 == 4 ? 0.37 : 0.0;
    ++checked;
    const Problem p = random_problem(rng, keys, dk, dv, scale, window, slope);
    INFO("keys = " << keys << ", d_k = " << dk << ", d_v = " << dv << ", scale = " << scale << ", slope = " << slope);
    const Result eigen = run(p, FloatAttentionKernel::eigen, 1);
    const Result first = run(p, lane_kernels().front(), 1);
    for (FloatAttentionKernel kernel : lane_kernels())
      for (int threads : {1, 2}) {
        const Result r = run(p, kernel, threads);
        CHECK(std::memcmp(r.out.data(), first.out.data(), sizeof(float) * static_cast<std::size_t>(r.out.size())) == 0);
        CHECK(std::memcmp(r.lse.data(), first.lse.data(), sizeof(float) * r.lse.size()) == 0);
      }
    // float64 reference, row by row.
    for (Eigen::Index i = 0; i < p.q.rows(); ++i) {
      const std::int64_t pos = p.positions[static_cast<std::size_t>(i)];
      std::vector<double> s, abs_terms;
      std::vector<std::int64_t> js;
      for (std::int64_t j = 0; j < keys; ++j) {
        const std::int64_t delta = pos - j;
        if (delta < p.window.lo || delta > p.window.hi) continue;
        double dot = 0, abs = 0;
        for (int c = 0; c < dk; ++c) {
          dot += static_cast<double>(p.q(i, c)) * p.k(j, c);
          abs += std::fabs(static_cast<double>(p.q(i, c)) * p.k(j, c));
        }
        s.push_back(dot + p.slope * static_cast<double>(delta));
        abs_terms.push_back(abs + std::fabs(p.slope * static_cast<double>(delta)));
        js.push_back(j);
      }
      if (s.empty()) {
        CHECK(first.out.row(i).cwiseAbs().maxCoeff() == 0.0f);
        CHECK(std::isinf(first.lse[static_cast<std::size_t>(i)]));
        continue;
      }
      const double m = *std::max_element(s.begin(), s.end());
      double z = 0, max_abs_value = 0;
      Eigen::VectorXd o = Eigen::VectorXd::Zero(dv);
      for (std::size_t a = 0; a < s.size(); ++a) {
        const double w = std::exp(s[a] - m);
        z += w;
        o += w * p.v.row(js[a]).cast<double>().transpose();
        max_abs_value = std::max(max_abs_value, static_cast<double>(p.v.row(js[a]).cwiseAbs().maxCoeff()));
      }
      o /= z;
      const double lse = m + std::log(z);
      const RowBound b = model_bound(p, s, abs_terms, max_abs_value, m);
      for (const Result* r : {&first, &eigen}) {
        const double out_error = (r->out.row(i).cast<double>().transpose() - o).cwiseAbs().maxCoeff();
        const double lse_error = std::fabs(r->lse[static_cast<std::size_t>(i)] - lse);
        INFO("row " << i << " (" << (r == &first ? "lane kernel" : "eigen") << "): out error " << out_error << " bound "
                    << b.out << ", lse error " << lse_error << " bound " << b.lse);
        CHECK(out_error <= b.out);
        CHECK(lse_error <= b.lse);
      }
      // The two float paths, each within the bound of float64: within twice it of each other.
      CHECK((first.out.row(i) - eigen.out.row(i)).cast<double>().cwiseAbs().maxCoeff() <= 2 * b.out);
    }
  }
  CHECK(checked == static_cast<int>(lengths.size()));
}

TEST_CASE("float attention kernels: a weight just above the flush threshold counts, one just below is exactly 0") {
  // One query, 600 keys: key 0 scores 0 (weight 1), the others -200 (flushed), but for one
  // key at index `at` scoring `score`; its value is 1, the others' 0. So the output is that
  // key's weight over 1 + it: e^score (normal for score >= -87.3365), or exactly 0 below.
  // Keys past the second tile; the odd key on both sides of a lane group and of a tile edge.
  const std::int64_t keys = 2 * kAttentionKeyTile + 88;
  for (const std::int64_t at : {std::int64_t{1}, std::int64_t{kFloatKernelLanes + 1}, kAttentionKeyTile - 1,
                                kAttentionKeyTile, kAttentionKeyTile + 44, keys - 1})
    for (const float score : {-80.0f, -87.0f, -87.33654022216796875f, -87.3365478515625f, -87.5f}) {
      Problem p;
      p.q = RowMatrix<float>::Constant(1, 1, 1.0f);
      p.k = RowMatrix<float>::Constant(keys, 1, -200.0f);
      p.k(0, 0) = 0.0f;
      p.k(at, 0) = score;
      p.v = RowMatrix<float>::Zero(keys, 1);
      p.v(at, 0) = 1.0f;
      p.positions = {keys - 1};
      for (FloatAttentionKernel kernel : lane_kernels()) {
        const Result r = run(p, kernel, 1);
        INFO("key " << at << " at score " << score << ", kernel " << to_string(kernel));
        if (score >= -87.33654022216796875f) {
          const double expected = std::exp(static_cast<double>(score));
          CHECK(std::fabs(r.out(0, 0) - expected) <= 1e-6 * expected);  // two roundings and exp's error, ~1e-7 each
        } else {
          CHECK(r.out(0, 0) == 0.0f);  // e^score < FLT_MIN: flushed, as exp_flushed would
        }
      }
    }
}

TEST_CASE("float attention kernels: a NaN score reaches the output") {
  Rng rng(5);
  Problem p = random_problem(rng, 300, 3, 2, 1.0, RelativeWindow{}, 0.0);
  p.k(200, 1) = std::numeric_limits<float>::quiet_NaN();
  auto kernels = lane_kernels();
  kernels.push_back(FloatAttentionKernel::eigen);
  for (FloatAttentionKernel kernel : kernels) {
    const Result r = run(p, kernel, 1);
    for (Eigen::Index i = 0; i < p.q.rows(); ++i)
      CHECK(std::isnan(r.out(i, 0)) == (p.positions[static_cast<std::size_t>(i)] >= 200));
  }
}
