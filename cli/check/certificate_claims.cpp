// Claims of `copyproof check` about the certificate (docs/certify.md): the built model is
// certified for a few (D, n, L_max), and a model whose layer-2 scale is below its bound is not.

#include <cstdio>

#include "check/claim.hpp"
#include "copyproof/construction/certificate.hpp"
#include "copyproof/construction/copy_transformer.hpp"

namespace copyproof::cli {
namespace {

namespace cx = copyproof::construction;

ClaimResult certificate_result(const cx::Certificate& c, bool want_certified) {
  ClaimResult r;
  r.pass = c.certified == want_certified;
  char line[512];
  const cx::Inequality* bad = c.first_failure();
  std::snprintf(line, sizeof line, "%s: %zu inequalities, %s %s (margin %.4g), matched mass >= %.6f",
                c.certified ? "certified" : "NOT certified", c.inequalities.size(), bad ? "fails" : "weakest",
                bad ? bad->name.c_str() : c.weakest.c_str(), bad ? bad->margin : c.min_margin, c.match_mass_lower);
  r.summary = line;
  r.numbers = {
      {"certified", c.certified},   {"inequalities", c.inequalities.size()},  {"weakest", c.weakest},
      {"min_margin", c.min_margin}, {"match_mass_lower", c.match_mass_lower}, {"layer1_deviation", c.layer1_deviation}};
  return r;
}

Claim certified_claim(int alphabet, int ngram, std::int64_t max_length, const std::string& length_name,
                      cx::CertificatePrecision precision) {
  const std::string p = cx::to_string(precision);
  return {"certificate-" + std::to_string(alphabet) + "-" + std::to_string(ngram) + "-" + length_name +
              (precision == cx::CertificatePrecision::exact ? "" : "-" + p),
          "the built model for D=" + std::to_string(alphabet) + ", n=" + std::to_string(ngram) +
              ", L_max=" + length_name + " is certified (" + p + " arithmetic)",
          [=](const ClaimContext&) {
            const cx::CopyTransformer ct = cx::build_copy_transformer(alphabet, ngram, max_length);
            return certificate_result(cx::certify_copy_transformer(ct.model, alphabet, ngram, max_length, precision),
                                      true);
          }};
}

}  // namespace

std::vector<Claim> certificate_claims() {
  using P = cx::CertificatePrecision;
  std::vector<Claim> claims = {
      certified_claim(2, 12, 4107, "4107", P::exact),      certified_claim(4, 8, 65543, "65543", P::exact),
      certified_claim(26, 3, 1LL << 40, "2^40", P::exact), certified_claim(65536, 8, 1LL << 40, "2^40", P::exact),
      certified_claim(4, 8, 65543, "65543", P::fp32),
  };
  claims.push_back(
      {"certificate-can-fail",
       "a model whose layer-2 scale lambda is below its bound (every layer-2 query weight x 0.3) is NOT certified",
       [](const ClaimContext&) {
         cx::CopyTransformer ct = cx::build_copy_transformer(4, 8, 65543);
         ct.model.layers[1].heads[0].query *= 0.3;  // edits the built weights, not the formulas
         return certificate_result(cx::certify_copy_transformer(ct.model, 4, 8, 65543, cx::CertificatePrecision::exact),
                                   false);
       }});
  return claims;
}

}  // namespace copyproof::cli
