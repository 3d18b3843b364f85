// Measures how much precision the copy transformer really needs (docs/precision-measured.md):
// for one (D, n), every precision of the CPU forward and two string families, the first
// length L at which a model built for L (or for a fixed huge L_max) miscopies a string
// without a repeated n-gram, or leaves the matched key at or below the exact argmax
// threshold 1/2. Lengths 1, 2, 4, ... and the family's full length.
//
//   copyproof_precision_sweep D n [L_MAX [LONGEST [PRECISIONS]]]
//     L_MAX: build every model for L_MAX instead of L (0: for L);
//     LONGEST: where B(D, n) is too long to write out (D^n > 2^22), run seeded uniform
//     strings of lengths up to LONGEST instead (default 256), skipping any with a repeat;
//     PRECISIONS: comma-separated subset of the list below (default all).
//
// Families: "debruijn" = prefixes of B(D, n) (every n-gram once: the most keys a query can
// compete with); "hamming1" = prefixes of B(2, n) over letters 0 and 1, whose codes differ in
// one bit, so every key lies within Hamming distance n of every query and each query has n
// keys at distance 1 in each half of the sequence. For large D^n: "uniform" (D letters) and
// "hamming1" (uniform over letters 0 and 1).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "copyproof/construction/codes.hpp"
#include "copyproof/construction/copy_forward.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/emulated_forward.hpp"
#include "copyproof/construction/hash_copy.hpp"
#include "copyproof/construction/string_sources.hpp"

namespace cx = copyproof::construction;

namespace {

struct Outcome {
  std::int64_t wrong = 0;  // wrong predictions at unique matches
  double min_mass = 1.0;   // matched-key mass (float64 from the run's layer-2 inputs)
};

// "fp32", ..., or "bf16-unfused" / "fp16-unfused" (scores stored in the format too).
Outcome run_one(const std::string& precision, const cx::CopyTransformer& ct, const std::vector<cx::Token>& x) {
  const auto sequence = cx::teacher_forced_sequence(ct.vocab, x);
  const auto outputs = cx::copy_output_positions(static_cast<std::int64_t>(x.size()));
  const auto reference = cx::reference_predictions(ct.vocab, ct.parameters.ngram, sequence, outputs);
  std::vector<std::int64_t> probes(outputs.size(), -1);
  for (std::size_t k = 0; k < outputs.size(); ++k)
    if (reference[k].matches == 1) probes[k] = reference[k].match_position;
  std::vector<cx::Token> predictions;
  std::vector<double> mass(outputs.size(), std::numeric_limits<double>::quiet_NaN());
  if (precision.ends_with("-unfused")) {
    const cx::EmulatedTransformer emulated(
        ct.model, precision.starts_with("bf16") ? cx::FloatFormat::bf16 : cx::FloatFormat::fp16,
        /*round_scores=*/true);
    const auto f = cx::emulated_forward(emulated, sequence, outputs, 2);
    predictions = f.predictions;  // masses: the rounded scores are not recomputed in float64 here
  } else {
    const auto backend = cx::make_cpu_backend(ct, *cx::parse_precision(precision));
    const auto r = backend->run(cx::CopyForwardRequest{sequence, outputs, probes, 2, {}});
    predictions = r.predictions;
    mass = r.probe_mass;
  }
  Outcome o;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    if (reference[k].matches != 1) continue;
    o.wrong += predictions[k] != reference[k].token ? 1 : 0;
    if (mass[k] == mass[k]) o.min_mass = std::min(o.min_mass, mass[k]);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: copyproof_precision_sweep D n [L_MAX]\n");
    return 2;
  }
  const int D = std::atoi(argv[1]), n = std::atoi(argv[2]);
  const std::int64_t fixed_max = argc > 3 ? std::atoll(argv[3]) : 0;
  const std::int64_t longest = argc > 4 ? std::atoll(argv[4]) : 256;
  std::vector<std::pair<std::string, std::vector<cx::Token>>> families;
  if (cx::power_or_minus_one(D, n, std::int64_t{1} << 22) > 0) {
    families.emplace_back("debruijn", cx::debruijn_source(D, n, 1, 0)->string(0));
  } else {
    families.emplace_back("uniform", cx::uniform_source(D, longest, 1, 1)->string(0));
  }
  if (cx::power_or_minus_one(2, n, std::int64_t{1} << 22) > 0) {
    families.emplace_back("hamming1", cx::debruijn_source(2, n, 1, 0)->string(0));
  } else {
    families.emplace_back("hamming1", cx::uniform_source(2, longest, 1, 1)->string(0));
  }
  for (const auto& [family, x] : families)
    if (cx::has_repeated_ngram(x, n)) {
      std::fprintf(stderr, "%s: the string has a repeated %d-gram; pick a larger n or a shorter LONGEST\n",
                   family.c_str(), n);
      return 2;
    }
  std::printf("| D | n | L_max | precision | family | lengths run | first L failing | min matched mass |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  const std::string only = argc > 5 ? "," + std::string(argv[5]) + "," : std::string();
  for (const std::string precision : {"fp64", "fp32", "int8", "bf16", "fp16", "bf16-unfused", "fp16-unfused"}) {
    if (!only.empty() && only.find("," + precision + ",") == std::string::npos) continue;
    if (precision == "int8" && n * cx::code_bits(D) > 127) {
      std::printf("| %d | %d | - | int8 | - | - | not run: n b = %d > 127 aborts on this branch | - |\n", D, n,
                  n * cx::code_bits(D));
      continue;
    }
    for (const auto& [family, full] : families) {
      const auto full_length = static_cast<std::int64_t>(full.size());
      std::vector<std::int64_t> lengths;
      for (std::int64_t L = 1; L < full_length; L *= 2) lengths.push_back(L);
      lengths.push_back(full_length);
      std::int64_t first_fail = -1;
      double min_mass = 1.0;
      const auto start = std::chrono::steady_clock::now();
      for (std::int64_t L : lengths) {
        const std::vector<cx::Token> x(full.begin(), full.begin() + L);
        const cx::CopyTransformer ct = cx::build_copy_transformer(D, n, fixed_max > 0 ? fixed_max : L);
        const Outcome o = run_one(precision, ct, x);
        min_mass = std::min(min_mass, o.min_mass);
        if (first_fail < 0 && (o.wrong > 0 || !(o.min_mass > 0.5))) first_fail = L;
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("| %d | %d | %s | %s | %s | 1..%lld (%zu) | %s | %s |\n", D, n,
                  fixed_max > 0 ? std::to_string(fixed_max).c_str() : "L", precision.c_str(), family.c_str(),
                  static_cast<long long>(full_length), lengths.size(),
                  first_fail < 0 ? "none" : std::to_string(first_fail).c_str(),
                  precision.ends_with("-unfused") ? "-" : std::to_string(min_mass).c_str());
      std::fprintf(stderr, "  %s %s: %.1f s\n", precision.c_str(), family.c_str(), seconds);
      std::fflush(stdout);
    }
  }
  return 0;
}
