#include "verify_report.hpp"

#include <cstdio>

#include "copyproof/construction/codes.hpp"
#include "symbols.hpp"

namespace copyproof::cli {

namespace cx = copyproof::construction;

namespace {

// A slice's reading as printed: a code slice's symbol (a letter, CUT, 0 when nothing is
// written, ?N for a code no symbol has), a flag's value.
std::string slice_text(const cx::SliceReading& r, const cx::Vocabulary& vocab) {
  if (!r.code) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", r.value);
    return buf;
  }
  if (r.symbol < 0) return "0";
  if (r.symbol < vocab.alphabet) return format_symbol(r.symbol, vocab);
  if (r.symbol == cx::cut_symbol(vocab)) return "CUT";
  return "?" + std::to_string(r.symbol);
}

nlohmann::json residual_json(const std::vector<cx::SliceReading>& residual, const cx::Vocabulary& vocab) {
  if (residual.empty()) return nullptr;
  nlohmann::json j = nlohmann::json::object();
  for (const auto& r : residual) j[r.slice] = slice_text(r, vocab);
  return j;
}

nlohmann::json counterexample_json(const std::optional<cx::Counterexample>& c, int alphabet) {
  if (!c) return nullptr;
  const cx::Vocabulary vocab{alphabet};
  return {{"sample", c->sample},
          {"input", format_symbols(c->input, vocab)},
          {"output_index", c->output_index},
          {"expected", format_symbol(c->expected, vocab)},
          {"predicted", format_symbol(c->predicted, vocab)},
          {"matches", c->matches},
          {"repeated_ngram", c->repeated_ngram},
          {"match_mass", c->match_mass >= 0 ? nlohmann::json(c->match_mass) : nlohmann::json(nullptr)},
          {"residual", residual_json(c->residual, vocab)}};
}

nlohmann::json stage_seconds_json(const cx::StageSeconds& s) {
  return {{"forward", s.forward}, {"layer1", s.layer1},   {"layer1_check", s.layer1_check},
          {"layer2", s.layer2},   {"margins", s.margins}, {"reference", s.reference},
          {"repeats", s.repeats}};
}

// "; stream at the query: tok=c q1=b ... one=1", or nothing when it was not computed.
std::string residual_text(const std::vector<cx::SliceReading>& residual, const cx::Vocabulary& vocab) {
  if (residual.empty()) return "";
  std::string text = "; stream at the query:";
  for (const auto& r : residual) text += " " + r.slice + "=" + slice_text(r, vocab);
  return text;
}

}  // namespace

std::string describe_counterexample(const cx::Counterexample& c, int alphabet) {
  const cx::Vocabulary vocab{alphabet};
  return "sample " + std::to_string(c.sample) + ", prediction k=" + std::to_string(c.output_index) + ": expected " +
         format_symbol(c.expected, vocab) + ", got " + format_symbol(c.predicted, vocab) + " (" +
         std::to_string(c.matches) + " keys hold the query's n-gram; " +
         (c.repeated_ngram ? "input has" : "input has no") + " repeated n-gram" +
         (c.match_mass >= 0 ? "; matched-key mass " + std::to_string(c.match_mass) : std::string()) + "); input " +
         format_excerpt(c.input, vocab, c.output_index, 64) + residual_text(c.residual, vocab);
}

nlohmann::json verify_report_json(const cx::VerifyReport& r) {
  const auto& c = r.config;
  return {{"alphabet", c.alphabet},
          {"ngram", c.ngram},
          {"length", r.length},
          {"max_length", r.max_length},
          {"samples", r.strings},
          {"source", cx::to_string(c.source)},
          {"seed", c.seed},
          {"precision", cx::to_string(c.precision)},
          {"threads", c.threads},
          {"d_model", r.d_model},
          {"params", r.params},
          {"lambda", r.parameters.lambda},
          {"lambda_scale", r.parameters.lambda_scale},
          {"string_error", r.string_error},
          {"strings_copied", r.strings_copied},
          {"repeat_fraction", r.repeat_fraction},
          {"lemma_bound", r.lemma_bound},
          {"violations", r.violations},
          {"disagreements", r.disagreements},
          {"unique_match_positions", r.unique_match_positions},
          {"min_match_mass", r.min_match_mass},
          {"margin_failures", r.margin_failures},
          {"argmax_threshold", r.parameters.argmax_threshold},
          {"sufficient_match_mass", r.parameters.sufficient_match_mass},
          {"match_mass_floor", r.parameters.match_mass_floor},
          {"max_layer1_error", r.max_layer1_error},
          {"layer1_error_bound", r.parameters.layer1_error_bound},
          {"pairs", r.pairs},
          {"pairs_per_second", r.pairs_per_second},
          {"seconds", r.seconds},
          {"backend", r.backend},
          {"certified", r.certified},
          {"score_rounding_bound", r.score_rounding_bound},
          {"logit_error_bound", r.logit_error_bound},
          {"uncertified_predictions", r.uncertified_predictions},
          {"layer2_seconds", r.layer2_seconds},
          {"stage_seconds", stage_seconds_json(r.stages)},
          {"pass", r.pass()},
          {"first_violation", counterexample_json(r.first_violation, c.alphabet)},
          {"first_disagreement", counterexample_json(r.first_disagreement, c.alphabet)},
          {"first_margin_failure", counterexample_json(r.first_margin_failure, c.alphabet)}};
}

void print_verify_report(const cx::VerifyReport& r) {
  const auto& c = r.config;
  std::printf("verify D=%d n=%d L=%lld source=%s samples=%lld seed=%llu %s threads=%d\n", c.alphabet, c.ngram,
              static_cast<long long>(r.length), cx::to_string(c.source).c_str(), static_cast<long long>(r.strings),
              static_cast<unsigned long long>(c.seed), r.backend.c_str(), c.threads);
  if (r.parameters.lambda_scale != 1.0)
    std::printf("  DIAGNOSTIC MODEL: lambda scaled by %g, below what the proof needs\n", r.parameters.lambda_scale);
  std::printf("  model for L_max=%lld: d_model %d, %lld params, lambda %.4f\n", static_cast<long long>(r.max_length),
              r.d_model, static_cast<long long>(r.params), r.parameters.lambda);
  std::printf("  copied %lld/%lld strings: string error %.6g %s repeat fraction %.6g (Lemma 2.4 bound %.6g)\n",
              static_cast<long long>(r.strings_copied), static_cast<long long>(r.strings), r.string_error,
              r.string_error <= r.repeat_fraction ? "<=" : "> (FAIL)", r.repeat_fraction, r.lemma_bound);
  std::printf("  violations %lld, disagreements %lld over %lld unique-match predictions\n",
              static_cast<long long>(r.violations), static_cast<long long>(r.disagreements),
              static_cast<long long>(r.unique_match_positions));
  std::printf("  min matched-key mass %.9f: argmax right iff > %.6g (exact threshold); %lld at or below it\n",
              r.min_match_mass, r.parameters.argmax_threshold, static_cast<long long>(r.margin_failures));
  std::printf(
      "  lambda's promise: mass >= %.6f (proof's sufficient floor b/(b+1) = %.6f); max layer-1 error %.3g "
      "(bound %.3g)\n",
      r.parameters.match_mass_floor, r.parameters.sufficient_match_mass, r.max_layer1_error,
      r.parameters.layer1_error_bound);
  if (r.certified)
    std::printf(
        "  integer scores: rounding <= %.2g, logits within %.2g of exact; %lld uncertified predictions (ties)\n",
        r.score_rounding_bound, r.logit_error_bound, static_cast<long long>(r.uncertified_predictions));
  std::printf("  %.4g layer-2 query-key pairs in %.3f s: %.3g pairs/s\n", static_cast<double>(r.pairs), r.seconds,
              r.pairs_per_second);
  const auto& st = r.stages;
  std::printf(
      "  stages (s): forward %.3f, layer 1 %.3f, layer-1 check %.3f, layer 2 %.3f, margins %.3f, "
      "reference %.3f, repeats %.3f\n",
      st.forward, st.layer1, st.layer1_check, st.layer2, st.margins, st.reference, st.repeats);
  if (r.first_violation)
    std::printf("  first violation: %s\n", describe_counterexample(*r.first_violation, c.alphabet).c_str());
  if (r.first_disagreement)
    std::printf("  first disagreement: %s\n", describe_counterexample(*r.first_disagreement, c.alphabet).c_str());
  if (r.first_margin_failure)
    std::printf("  first mass at or below the threshold: %s\n",
                describe_counterexample(*r.first_margin_failure, c.alphabet).c_str());
  if (!r.first_violation && r.first_error)
    std::printf("  first string not copied (has a repeated n-gram, allowed): %s\n",
                describe_counterexample(*r.first_error, c.alphabet).c_str());
  std::printf("%s\n", r.pass() ? "PASS" : "FAIL");
}

}  // namespace copyproof::cli
