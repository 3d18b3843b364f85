// The certificate: reads the weights, runs the proof steps in order, collects the
// inequalities (docs/certify.md). The steps live in certificate_{weights,layer1,layer2,
// int8,rounding}.cpp.

#include "copyproof/construction/certificate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "certificate_parts.hpp"
#include "copyproof/construction/copy_parameters.hpp"

namespace copyproof::construction {

namespace cd = certificate_detail;

std::string to_string(CertificatePrecision precision) {
  switch (precision) {
    case CertificatePrecision::exact: return "exact";
    case CertificatePrecision::fp64: return "fp64";
    case CertificatePrecision::fp32: return "fp32";
    case CertificatePrecision::bf16: return "bf16";
    case CertificatePrecision::fp16: return "fp16";
    case CertificatePrecision::int8: return "int8";
  }
  return "?";
}

std::optional<CertificatePrecision> parse_certificate_precision(std::string_view name) {
  for (auto p : {CertificatePrecision::exact, CertificatePrecision::fp64, CertificatePrecision::fp32,
                 CertificatePrecision::bf16, CertificatePrecision::fp16, CertificatePrecision::int8})
    if (to_string(p) == name) return p;
  return std::nullopt;
}

const Inequality* Certificate::first_failure() const {
  for (const auto& q : inequalities)
    if (!q.holds) return &q;
  return nullptr;
}

namespace {

void check_sizes(int alphabet, int ngram, std::int64_t max_length) {
  if (alphabet < 2 || alphabet > kMaxAlphabet)
    throw std::invalid_argument("certificate: alphabet must be in [2, 65536]");
  if (ngram < 1) throw std::invalid_argument("certificate: ngram must be >= 1");
  if (max_length < 1 || max_length > kMaxCertifiedLength)
    throw std::invalid_argument("certificate: max_length must be in [1, 1e18]");
}

// Layer 1's results, reused across candidates of the L_max search: they depend on L_max only
// through which window patterns are feasible, and every pattern is feasible once
// L_max >= (widest window's hi) + 1 (certificate_layer1.cpp: feasible).
struct Layer1Cache {
  bool filled = false;
  std::vector<Inequality> inequalities;
  std::vector<double> deviation;
  double worst = 0;
};

std::int64_t layer1_stable_from(const cd::WeightReading& reading) {
  std::int64_t hi = 0;
  for (const auto& h : reading.layer1) hi = std::max(hi, h.hi);
  return hi + 1;
}

// Runs steps 1-4 on a reading whose layer 2 is current.
Certificate assemble(cd::WeightReading reading, int alphabet, int ngram, std::int64_t max_length,
                     CertificatePrecision precision, Layer1Cache* cache = nullptr) {
  Certificate c;
  c.alphabet = alphabet;
  c.ngram = ngram;
  c.max_length = max_length;
  c.precision = precision;
  c.d_model = reading.d_model;
  c.inequalities = reading.structure;
  c.inequalities.insert(c.inequalities.end(), reading.layer2_structure.begin(), reading.layer2_structure.end());
  bool readable = std::all_of(c.inequalities.begin(), c.inequalities.end(), [](const Inequality& q) {
    return q.holds || (q.name != "structure.layers" && q.name != "structure.layer2");
  });
  if (readable) {
    const cd::FormatModel f = cd::format_model(precision);
    const bool stable = cache && max_length >= layer1_stable_from(reading);
    if (stable && cache->filled) {
      c.inequalities.insert(c.inequalities.end(), cache->inequalities.begin(), cache->inequalities.end());
      reading.code_coordinate_deviation = cache->deviation;
      c.layer1_deviation = cache->worst;
    } else {
      std::vector<Inequality> layer1;
      c.layer1_deviation = cd::certify_layer1(reading, max_length, f, layer1).hi;
      c.inequalities.insert(c.inequalities.end(), layer1.begin(), layer1.end());
      if (stable) *cache = Layer1Cache{true, std::move(layer1), reading.code_coordinate_deviation, c.layer1_deviation};
    }
    const cd::Layer2Result l2 = precision == CertificatePrecision::int8
                                    ? cd::certify_layer2_int8(reading, max_length, f, c.inequalities)
                                    : cd::certify_layer2(reading, max_length, f, c.inequalities);
    c.score_perturbation = l2.perturbation.hi;
    c.match_mass_lower = l2.match_mass.lo;
    cd::certify_unembedding(reading, l2,
                            precision == CertificatePrecision::int8 ? cd::format_model(CertificatePrecision::fp64) : f,
                            c.inequalities);
  }
  c.certified = readable &&
                std::all_of(c.inequalities.begin(), c.inequalities.end(), [](const Inequality& q) { return q.holds; });
  const Inequality* weakest = c.first_failure();
  if (!weakest) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& q : c.inequalities) {
      const double relative = q.margin / std::max(std::fabs(q.rhs), 1.0);
      if (relative < best) best = relative, weakest = &q;
    }
  }
  if (weakest) {
    c.weakest = weakest->name;
    c.min_margin = weakest->margin;
  }
  return c;
}

}  // namespace

Certificate certify_copy_transformer(const Transformer& model, int alphabet, int ngram, std::int64_t max_length,
                                     CertificatePrecision precision) {
  check_sizes(alphabet, ngram, max_length);
  const cd::FormatModel f = cd::format_model(precision);
  return assemble(cd::read_weights(model, alphabet, ngram, f), alphabet, ngram, max_length, precision);
}

MaxLengthSearch find_max_certified_length(int alphabet, int ngram, CertificatePrecision precision, std::int64_t limit) {
  check_sizes(alphabet, ngram, limit);
  // Embedding, layer 1 and unembedding do not depend on L_max: built and read once. Layer 2
  // (lambda) is rebuilt by the builder for every candidate and re-read from its weights.
  CopyTransformer ct = build_copy_transformer(alphabet, ngram, 1);
  const cd::FormatModel f = cd::format_model(precision);
  const cd::WeightReading base = cd::read_weights(ct.model, alphabet, ngram, f);
  MaxLengthSearch search;
  Layer1Cache layer1_cache;
  auto certify_at = [&](std::int64_t length) {
    ++search.candidates;
    ct.model.layers[1] = induction_layer(copy_parameters(alphabet, ngram, length), ct.layout);
    cd::WeightReading reading = base;
    cd::read_layer2(reading, ct.model, f);
    return assemble(std::move(reading), alphabet, ngram, length, precision, &layer1_cache);
  };
  Certificate first = certify_at(1);
  if (!first.certified) return search;
  Certificate last = certify_at(limit);
  if (last.certified) {
    search.max_certified_length = limit;
    search.at_max = std::move(last);
    return search;
  }
  std::int64_t good = 1, bad = limit;  // certified at good, not at bad
  std::optional<Certificate> at_good = std::move(first);
  while (bad - good > 1) {
    const std::int64_t mid = good + (bad - good) / 2;
    Certificate c = certify_at(mid);
    if (c.certified) {
      good = mid;
      at_good = std::move(c);
    } else {
      bad = mid;
    }
  }
  search.max_certified_length = good;
  search.at_max = std::move(at_good);
  return search;
}

}  // namespace copyproof::construction
