// Claims of Theorem 2.3 and Lemma 2.4 checked on the copy transformer
// (docs/construction.md says which proof step each one exercises).

#include <cstdio>
#include <string>

#include "check/claim.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/decoder.hpp"
#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/string_sources.hpp"
#include "copyproof/construction/verifier.hpp"
#include "verify_report.hpp"

namespace copyproof::cli {
namespace {

namespace cx = copyproof::construction;

std::string format(const char* pattern, auto... values) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, pattern, values...);
  return buffer;
}

cx::VerifyConfig config(int D, int n, std::int64_t L, std::int64_t samples, cx::SourceKind source, int threads) {
  cx::VerifyConfig c;
  c.alphabet = D;
  c.ngram = n;
  c.length = L;
  c.samples = samples;
  c.source = source;
  c.seed = 20240201;  // fixed: the suite's numbers are reproducible
  c.threads = threads;
  return c;
}

// The proof's two quantitative promises, measured: matched-key mass above what the argmax
// needs, and layer-1 codes within their bound.
bool margins_hold(const cx::VerifyReport& r) {
  return r.min_match_mass > r.parameters.required_match_mass && r.max_layer1_error <= r.parameters.layer1_error_bound;
}

std::string margins(const cx::VerifyReport& r) {
  return format("min matched-key mass %.6f > %.4f needed; layer-1 error %.2g <= %.0e", r.min_match_mass,
                r.parameters.required_match_mass, r.max_layer1_error, r.parameters.layer1_error_bound);
}

ClaimResult with_counterexample(ClaimResult result, const cx::VerifyReport& r) {
  const auto& example = r.first_violation ? r.first_violation : r.first_disagreement;
  if (!result.pass && example) result.summary += "; counterexample: " + describe_counterexample(*example, r.config.alphabet);
  return result;
}

Claim debruijn_claim(int D, int n) {
  const std::string name = "B(" + std::to_string(D) + "," + std::to_string(n) + ")";
  return {"debruijn-" + std::to_string(D) + "-" + std::to_string(n),
          "de Bruijn " + name + " (every " + std::to_string(n) + "-gram once) is copied exactly",
          [D, n](const ClaimContext& ctx) {
            const cx::VerifyReport r = cx::verify(config(D, n, 0, 1, cx::SourceKind::debruijn, ctx.threads));
            const bool pass = r.strings_copied == r.strings && r.disagreements == 0 && margins_hold(r);
            return with_counterexample(
                {pass,
                 format("L = %lld: %lld/%lld predictions right, disagreements %lld; ",
                        static_cast<long long>(r.length), static_cast<long long>(r.strings_copied ? r.length + 1 : 0),
                        static_cast<long long>(r.length + 1), static_cast<long long>(r.disagreements)) +
                     margins(r),
                 verify_report_json(r)},
                r);
          }};
}

// The exact path at a quarter of a million tokens: float32 layer 1, exact integer layer 2
// from bit planes (bitplane_attention.hpp), every logit certified.
Claim exact_debruijn_claim(int D, int n) {
  const std::string name = "B(" + std::to_string(D) + "," + std::to_string(n) + ")";
  return {"debruijn-exact-" + std::to_string(D) + "-" + std::to_string(n),
          "de Bruijn " + name + " is copied exactly with exact integer layer-2 scores (--precision int8)",
          [D, n](const ClaimContext& ctx) {
            cx::VerifyConfig c = config(D, n, 0, 1, cx::SourceKind::debruijn, ctx.threads);
            c.precision = cx::Precision::int8;
            const cx::VerifyReport r = cx::verify(c);
            const bool pass = r.strings_copied == r.strings && r.disagreements == 0 && r.certified &&
                              r.uncertified_predictions == 0 && margins_hold(r);
            return with_counterexample(
                {pass,
                 format("L = %lld: %lld/%lld predictions right, disagreements %lld, %lld uncertified; ",
                        static_cast<long long>(r.length), static_cast<long long>(r.strings_copied ? r.length + 1 : 0),
                        static_cast<long long>(r.length + 1), static_cast<long long>(r.disagreements),
                        static_cast<long long>(r.uncertified_predictions)) +
                     margins(r) + format("; %.3g pairs/s", r.pairs_per_second),
                 verify_report_json(r)},
                r);
          }};
}

Claim uniform_claim(int D, int n, std::int64_t L, std::int64_t samples) {
  return {"uniform-" + std::to_string(D) + "-" + std::to_string(n) + "-" + std::to_string(L),
          "uniform strings, D=" + std::to_string(D) + " n=" + std::to_string(n) + " L=" + std::to_string(L) +
              ": error <= repeat fraction <= Lemma 2.4 bound",
          [D, n, L, samples](const ClaimContext& ctx) {
            const cx::VerifyReport r = cx::verify(config(D, n, L, samples, cx::SourceKind::uniform, ctx.threads));
            const bool pass = r.pass() && r.repeat_fraction <= r.lemma_bound && margins_hold(r);
            return with_counterexample(
                {pass,
                 format("%lld strings: error %.4f <= repeat fraction %.4f <= bound %.4f; violations %lld, "
                        "disagreements %lld",
                        static_cast<long long>(r.strings), r.string_error, r.repeat_fraction, r.lemma_bound,
                        static_cast<long long>(r.violations), static_cast<long long>(r.disagreements)),
                 verify_report_json(r)},
                r);
          }};
}

Claim exhaustive_claim(int D, int n, std::int64_t L) {
  return {"exhaustive-" + std::to_string(D) + "-" + std::to_string(n) + "-" + std::to_string(L),
          "all " + std::to_string(D) + "^" + std::to_string(L) + " strings: every one without a repeated " +
              std::to_string(n) + "-gram is copied",
          [D, n, L](const ClaimContext& ctx) {
            const cx::VerifyReport r = cx::verify(config(D, n, L, 0, cx::SourceKind::exhaustive, ctx.threads));
            const std::int64_t clean = r.strings - r.strings_with_repeat;
            const bool pass = r.violations == 0 && r.disagreements == 0 && margins_hold(r);
            return with_counterexample(
                {pass,
                 format("%lld strings, %lld without a repeat: %lld of those copied (violations %lld); %lld of %lld "
                        "with a repeat miscopied",
                        static_cast<long long>(r.strings), static_cast<long long>(clean),
                        static_cast<long long>(clean - r.violations), static_cast<long long>(r.violations),
                        static_cast<long long>(r.strings - r.strings_copied - r.violations),
                        static_cast<long long>(r.strings_with_repeat)),
                 verify_report_json(r)},
                r);
          }};
}

// Greedy decoding reproduces x EOS exactly when every teacher-forced prediction is right,
// and agrees with the teacher-forced predictions up to the first mistake (induction on k).
Claim autoregressive_claim(int D, int n, std::int64_t L, std::int64_t samples) {
  return {"teacher-forced-equals-autoregressive",
          "greedy decoding agrees with the teacher-forced predictions (D=" + std::to_string(D) + " n=" +
              std::to_string(n) + " L=" + std::to_string(L) + ", uniform and planted)",
          [D, n, L, samples](const ClaimContext&) {
            const cx::CopyTransformer ct = cx::build_copy_transformer(D, n, L);
            const cx::TypedTransformer<float> typed(ct.model);
            std::int64_t strings = 0, agree = 0, copied = 0;
            std::vector<std::unique_ptr<cx::StringSource>> sources;
            sources.push_back(cx::uniform_source(D, L, samples, 7));
            sources.push_back(cx::planted_source(D, n, L, samples, 7));
            for (const auto& source : sources) {
              for (std::int64_t i = 0; i < source->count(); ++i, ++strings) {
                const auto x = source->string(i);
                const auto tf = cx::forward(typed, cx::teacher_forced_sequence(ct.vocab, x), cx::copy_output_positions(L),
                                            cx::ForwardOptions{1});
                const auto ar = cx::greedy_copy(typed, ct.vocab, x, L + 1);
                std::vector<cx::Token> target = x;
                target.push_back(ct.vocab.eos());
                std::size_t first_wrong = 0;
                while (first_wrong < target.size() && tf.predictions[first_wrong] == target[first_wrong]) ++first_wrong;
                const bool tf_copied = first_wrong == target.size();
                const std::size_t compared = std::min(ar.size(), std::min(first_wrong + 1, target.size()));
                const bool prefix_equal = std::equal(ar.begin(), ar.begin() + static_cast<std::ptrdiff_t>(compared),
                                                     tf.predictions.begin());
                agree += (prefix_equal && (ar == target) == tf_copied) ? 1 : 0;
                copied += tf_copied ? 1 : 0;
              }
            }
            // Both kinds of string must occur, or half of the claim went unchecked.
            return ClaimResult{agree == strings && copied > 0 && copied < strings,
                               format("%lld/%lld strings agree (%lld copied, %lld not)", static_cast<long long>(agree),
                                      static_cast<long long>(strings), static_cast<long long>(copied),
                                      static_cast<long long>(strings - copied)),
                               {{"strings", strings}, {"agree", agree}, {"copied", copied}}};
          }};
}

}  // namespace

std::vector<Claim> construction_claims() {
  return {
      debruijn_claim(2, 12),
      debruijn_claim(4, 6),
      debruijn_claim(4, 8),
      uniform_claim(2, 12, 64, 4000),
      uniform_claim(4, 8, 256, 1000),
      uniform_claim(26, 3, 60, 4000),
      exhaustive_claim(2, 5, 16),
      autoregressive_claim(4, 8, 120, 40),
      exact_debruijn_claim(2, 18),
  };
}

}  // namespace copyproof::cli
