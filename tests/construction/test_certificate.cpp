// The certificate (certificate.hpp, docs/certify.md): it holds for the built models, each
// family of inequalities fails when the weights it reads are broken, its numbers agree with
// hand computations and with measured runs, and its arithmetic encloses what it claims to.

#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <string>

#include "../../construction/src/certificate_parts.hpp"
#include "copyproof/construction/attention.hpp"
#include "copyproof/construction/certificate.hpp"
#include "copyproof/construction/copy_parameters.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/verifier.hpp"

namespace cx = copyproof::construction;
namespace cd = copyproof::construction::certificate_detail;
using P = cx::CertificatePrecision;

namespace {

const cx::Inequality& find(const cx::Certificate& c, const std::string& name) {
  for (const auto& q : c.inequalities)
    if (q.name == name) return q;
  FAIL("no inequality named " << name);
  return c.inequalities.front();
}

bool all_hold(const cx::Certificate& c) {
  for (const auto& q : c.inequalities)
    if (!q.holds) return false;
  return !c.inequalities.empty();
}

cx::Certificate certify(const cx::CopyTransformer& ct, std::int64_t length, P p = P::exact) {
  return cx::certify_copy_transformer(ct.model, ct.vocab.alphabet, ct.parameters.ngram, length, p);
}

}  // namespace

TEST_CASE("interval exp encloses e^x and is narrow") {
  for (double x : {-700.0, -90.5, -20.0, -1.0, -1e-9, 0.0, 0.3, 1.0, 7.25, 88.0, 700.0}) {
    const cd::Interval e = cd::exp_point(x);
    const long double ref = std::exp(static_cast<long double>(x));
    CHECK(static_cast<long double>(e.lo) <= ref);
    CHECK(static_cast<long double>(e.hi) >= ref);
    CHECK(e.hi - e.lo <= 1e-12 * e.hi);  // e^k by ~10 squarings of [e-, e+]: a few thousand ulps at |k| = 700
  }
  CHECK(cd::exp_point(-800).lo == 0.0);
  CHECK(cd::exp_point(-800).hi > 0.0);  // an upper bound never underflows to 0
}

TEST_CASE("stated exp accuracy of the forward (8 ulp) holds with a margin of 2 over the range used") {
  // The banded path calls std::exp(float), the tiled path the float kernel's exp
  // (attention_exp) or, on the Eigen path, Eigen's vectorised exp; all in [-120, 0].
  const int n = 200001;
  Eigen::ArrayXf x(n);
  for (int i = 0; i < n; ++i) x(i) = static_cast<float>(-120.0 * i / (n - 1));
  const Eigen::ArrayXf vectorised = x.exp();
  double worst = 0;
  for (int i = 0; i < n; ++i) {
    const long double ref = std::exp(static_cast<long double>(x(i)));
    if (ref < std::numeric_limits<float>::min()) {  // below the normal range: the underflow term covers them
      const double allowed = cd::format_model(cx::CertificatePrecision::fp32).underflow;
      CHECK(std::fabs(vectorised(i) - ref) <= allowed);
      CHECK(std::fabs(std::exp(x(i)) - ref) <= allowed);
      CHECK(std::fabs(cx::attention_exp(x(i)) - ref) <= allowed);
      continue;
    }
    worst = std::max(worst, static_cast<double>(std::fabs((cx::attention_exp(x(i)) - ref) / ref)));
    worst = std::max(worst, static_cast<double>(std::fabs((vectorised(i) - ref) / ref)));
    worst = std::max(worst, static_cast<double>(std::fabs((std::exp(x(i)) - ref) / ref)));
  }
  MESSAGE("largest relative exp error in binary32: " << worst << " (stated " << cd::kExpUlpsFp32 * 0x1p-23 << ")");
  CHECK(worst <= cd::kExpUlpsFp32 * 0x1p-23 / 2);
  // binary64: std::exp and Eigen's vectorised exp, against long double (64-bit significand).
  Eigen::ArrayXd xd = x.cast<double>() * 1.37;
  const Eigen::ArrayXd vd = xd.exp();
  double worst64 = 0;
  for (int i = 0; i < n; ++i) {
    const long double ref = std::exp(static_cast<long double>(xd(i)));
    worst64 = std::max(worst64, static_cast<double>(std::fabs((vd(i) - ref) / ref)));
    worst64 = std::max(worst64, static_cast<double>(std::fabs((std::exp(xd(i)) - ref) / ref)));
  }
  MESSAGE("largest relative exp error in binary64: " << worst64 << " (stated " << cd::kExpUlpsFp64 * 0x1p-52 << ")");
  CHECK(worst64 <= cd::kExpUlpsFp64 * 0x1p-52 / 2);
  // binary64 below the normal range (e^x < DBL_MIN from x < -708.4): within the underflow term.
  Eigen::ArrayXd low = Eigen::ArrayXd::LinSpaced(20001, -760.0, -700.0);
  const Eigen::ArrayXd vlow = low.exp();
  const double allowed64 = cd::format_model(cx::CertificatePrecision::fp64).underflow;
  for (Eigen::Index i = 0; i < low.size(); ++i) {
    const long double ref = std::exp(static_cast<long double>(low(i)));
    if (ref >= std::numeric_limits<double>::min()) continue;
    CHECK(std::fabs(vlow(i) - ref) <= allowed64);
    CHECK(std::fabs(std::exp(low(i)) - ref) <= allowed64);
  }
}

TEST_CASE("format rounding: bf16 and fp16 round to nearest even at their quanta") {
  const cd::FormatModel bf = cd::format_model(P::bf16), h = cd::format_model(P::fp16);
  CHECK(bf.round_weight(1.0 + 0x1p-9) == 1.0);               // below half a bf16 ulp
  CHECK(bf.round_weight(1.0 + 0x1p-8) == 1.0);               // a tie: to even
  CHECK(bf.round_weight(1.0 + 3 * 0x1p-8) == 1.0 + 0x1p-6);  // a tie: to even (up)
  CHECK(h.round_weight(65519.0) == 65504.0);
  CHECK(std::isinf(h.round_weight(65520.0)));
  CHECK(h.round_weight(0x1p-25) == 0.0);  // half the smallest fp16 subnormal: ties to even (0)
  CHECK(cd::format_model(P::fp32).round_weight(0.1) == static_cast<double>(0.1f));
}

TEST_CASE("certificate: the built models are certified exactly, up to L_max = 1e18") {
  for (auto [d, n, l] : {std::tuple{2, 4, std::int64_t{19}}, std::tuple{4, 3, std::int64_t{1000}},
                         std::tuple{26, 3, std::int64_t{1} << 40}, std::tuple{3, 5, cx::kMaxCertifiedLength}}) {
    CAPTURE(d);
    CAPTURE(n);
    const cx::CopyTransformer ct = cx::build_copy_transformer(d, n, l);
    const cx::Certificate c = certify(ct, l);
    CHECK(c.certified);
    CHECK(all_hold(c));
    CHECK(c.d_model == ct.model.d_model());
    // The proof's floor: the certificate's bound is at least match_mass_floor (its layer-1
    // deviation is the true one, below the design target eps1).
    CHECK(c.match_mass_lower >= ct.parameters.match_mass_floor * (1 - 1e-12));
    CHECK(c.match_mass_lower > 0.5);
  }
}

TEST_CASE("layer 1: the letters pattern's deviation is 2 (1 - w) with w the oldest key's softmax mass, by hand") {
  const cx::CopyTransformer ct = cx::build_copy_transformer(2, 3, 50);
  const cx::Certificate c = certify(ct, 50);
  // Head k2: window [1, 2]: two letters at offsets 1 and 2; the oldest (offset 2) wins by alpha.
  const double alpha = ct.model.layers[0].heads[0].position_slope;
  const double r = std::exp(-alpha);
  const double by_hand = 2 * r / (1 + r);
  CHECK(find(c, "layer1.k2.letters").lhs == doctest::Approx(by_hand).epsilon(1e-9));
  CHECK(find(c, "layer1.k2.letters").lhs >= by_hand);
  // Head q1 clipped at position 0 with no COPY: window {0, 1} at position 1 = BOS (offset 1) and
  // a letter (offset 0); BOS wins by beta + alpha - 0.
  const double beta = ct.model.layers[0].heads[0].query.maxCoeff();
  const double r_clip = std::exp(-(beta + alpha));
  CHECK(find(c, "layer1.q1.clipped").lhs == doctest::Approx(2 * r_clip / (1 + r_clip)).epsilon(1e-6));
}

TEST_CASE("layer 1 fails when its slope or separator bonus is too small") {
  cx::CopyTransformer ct = cx::build_copy_transformer(4, 3, 100);
  SUBCASE("slope") {
    for (auto& h : ct.model.layers[0].heads) h.position_slope = 0.1;
    const cx::Certificate c = certify(ct, 100);
    CHECK_FALSE(c.certified);
    CHECK_FALSE(find(c, "layer1.k3.letters").holds);
  }
  SUBCASE("separator bonus") {
    for (auto& h : ct.model.layers[0].heads) h.query *= 0.01;  // beta -> beta / 100
    const cx::Certificate c = certify(ct, 100);
    CHECK_FALSE(c.certified);
    CHECK_FALSE(find(c, "layer1.k3.copy").holds);  // COPY inside the window no longer beats the oldest letter
    CHECK(find(c, "layer1.k3.clipped").holds);     // BOS is the oldest position there: the slope alone suffices
  }
}

TEST_CASE("code gap and structure fail on broken embeddings") {
  cx::CopyTransformer ct = cx::build_copy_transformer(4, 2, 20);
  SUBCASE("two letters share a code") {
    const int tok = ct.layout.tok().offset;
    ct.model.embedding.block(tok, 1, ct.layout.code_bits(), 1) =
        ct.model.embedding.block(tok, 0, ct.layout.code_bits(), 1);
    const cx::Certificate c = certify(ct, 20);
    CHECK_FALSE(c.certified);
    CHECK_FALSE(find(c, "code_gap").holds);
    CHECK(find(c, "code_gap").rhs == 0.0);
  }
  SUBCASE("a gathered slice is nonzero in the embedding") {
    ct.model.embedding(ct.layout.key(1).offset, 0) = 0.5;
    CHECK_FALSE(find(certify(ct, 20), "structure.embedding").holds);
  }
  SUBCASE("a layer-1 head writes outside its slice") {
    ct.model.layers[0].heads[0].output(ct.layout.out().offset, 0) = 1.0;
    const cx::Certificate c = certify(ct, 20);
    CHECK_FALSE(find(c, "structure.layer1." + ct.model.layers[0].heads[0].name).holds);
    CHECK_FALSE(c.certified);
  }
  SUBCASE("the unembedding reads the wrong code") {
    ct.model.unembedding.row(0).swap(ct.model.unembedding.row(1));
    CHECK_FALSE(find(certify(ct, 20), "structure.unembedding").holds);
  }
}

TEST_CASE("layer 2 fails when lambda is below its bound, or BOS is not penalised") {
  cx::CopyTransformer ct = cx::build_copy_transformer(4, 8, 65543);
  SUBCASE("lambda") {
    ct.model.layers[1].heads[0].query *= 0.3;
    const cx::Certificate c = certify(ct, 65543);
    CHECK_FALSE(c.certified);
    CHECK_FALSE(find(c, "layer2.matched_mass").holds);
    CHECK_FALSE(find(c, "unembedding.argmax").holds);
    CHECK(find(c, "layer2.score_gap").holds);  // the gap is still positive, only too small for T keys
  }
  SUBCASE("BOS penalty with the wrong sign") {
    auto& key = ct.model.layers[1].heads[0].key;
    key.row(key.rows() - 1) *= -1.0;  // -B bos -> +B bos
    const cx::Certificate c = certify(ct, 65543);
    CHECK_FALSE(find(c, "layer2.bos_key").holds);
    CHECK_FALSE(c.certified);
  }
  SUBCASE("an entry outside the aligned blocks is a perturbation") {
    auto& query = ct.model.layers[1].heads[0].query;
    query(0, ct.layout.query(2).offset) =
        1.5 * query(0, ct.layout.tok().offset);  // reads q2 into the tok block: |M| 1.5 lambda > the 2 lambda gap / 2
    const cx::Certificate c = certify(ct, 65543);
    CHECK_FALSE(find(c, "layer2.score_gap").holds);
  }
}

TEST_CASE("unembedding: the exact threshold is matched mass 1/2") {
  // Scale layer 2 so that (T - 1) e^{-gap} is just below / above 1, i.e. w just above / below 1/2.
  const std::int64_t length = 1000;
  const cx::CopyTransformer ct = cx::build_copy_transformer(4, 3, length);
  const double lambda = ct.parameters.lambda;
  const double t_minus_1 = 2.0 * length + 1;
  for (double slack : {+0.01, -0.01}) {
    cx::CopyTransformer broken = ct;
    // gap = 2 lambda' (1 - eta'), eta' ~ 1e-6: lambda' = (ln(T - 1) + slack) / 2 puts w at 1/(1 + e^{-slack}).
    broken.model.layers[1].heads[0].query *= (std::log(t_minus_1) + slack) / 2 / lambda / (1 - 1e-5);
    const cx::Certificate c = certify(broken, length);
    const auto& argmax = find(c, "unembedding.argmax");
    CHECK(argmax.lhs == doctest::Approx(2 * (1 - c.match_mass_lower)).epsilon(1e-9));
    CHECK(c.certified == (slack > 0));
    CHECK(argmax.holds == (slack > 0));
  }
}

TEST_CASE("precisions: fp64/fp32 certify the default sizes; rounding is folded in") {
  const cx::CopyTransformer ct = cx::build_copy_transformer(4, 8, 65543);
  const cx::Certificate exact = certify(ct, 65543), f64 = certify(ct, 65543, P::fp64),
                        f32 = certify(ct, 65543, P::fp32);
  CHECK(exact.certified);
  CHECK(f64.certified);
  CHECK(f32.certified);
  CHECK(f32.layer1_deviation > exact.layer1_deviation);
  CHECK(f32.match_mass_lower < f64.match_mass_lower);
  // bf16 stores the stream with u = 2^-8: the gathered codes deviate by at least that much in the bound.
  const cx::Certificate bf = certify(ct, 65543, P::bf16);
  CHECK(bf.layer1_deviation >= 0x1p-8);
}

TEST_CASE("int8: certified where n b <= 127 and the level counts fit int32; not otherwise") {
  const cx::CopyTransformer small = cx::build_copy_transformer(4, 3, 1000);
  const cx::Certificate c = certify(small, 1000, P::int8);
  CHECK(c.certified);
  CHECK(find(c, "int8.query_distance").lhs < 0.01);
  CHECK_FALSE(find(certify(small, std::int64_t{1} << 31, P::int8), "int8.level_counts").holds);
  const cx::CopyTransformer wide = cx::build_copy_transformer(65536, 8, 1000);  // n b = 136 > 127
  const cx::Certificate w = certify(wide, 1000, P::int8);
  CHECK_FALSE(w.certified);
  CHECK_FALSE(find(w, "int8.range").holds);
}

TEST_CASE("find_max_certified_length: certified at the answer, not one past it") {
  for (P p : {P::fp32, P::fp16}) {
    const cx::MaxLengthSearch s = cx::find_max_certified_length(4, 3, p);
    REQUIRE(s.at_max);
    CAPTURE(cx::to_string(p));
    CHECK(s.max_certified_length > 1);
    CHECK(s.max_certified_length < cx::kMaxCertifiedLength);
    CHECK(s.at_max->certified);
    CHECK(s.at_max->max_length == s.max_certified_length);
    const cx::CopyTransformer past = cx::build_copy_transformer(4, 3, s.max_certified_length + 1);
    CHECK_FALSE(certify(past, s.max_certified_length + 1, p).certified);
  }
  CHECK(cx::find_max_certified_length(4, 3, P::exact).max_certified_length == cx::kMaxCertifiedLength);
  CHECK(cx::find_max_certified_length(4, 6, P::bf16).max_certified_length == 0);  // bf16 storage: no L_max at all
}

TEST_CASE("the certified mass bound is below the mass a run measures") {
  cx::VerifyConfig config;
  config.alphabet = 2;
  config.ngram = 5;
  config.source = cx::SourceKind::debruijn;
  config.precision = cx::Precision::fp64;
  const cx::VerifyReport report = cx::verify(config);
  const cx::CopyTransformer ct = cx::build_copy_transformer(2, 5, report.length);
  const cx::Certificate c = certify(ct, report.length, P::fp64);
  CHECK(c.certified);
  CHECK(c.match_mass_lower <= report.min_match_mass);
}
