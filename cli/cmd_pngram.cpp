// `copyproof pngram`: the probability that a uniform string has a repeated n-gram (the
// copy transformer's error bound), exact or by Monte Carlo, next to Lemma 2.4's bounds.

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli_support.hpp"
#include "commands.hpp"
#include "copyproof/ssm_bounds/decimal_format.hpp"
#include "copyproof/ssm_bounds/ngram_probability.hpp"
#include "exact_json.hpp"

namespace copyproof::cli {
namespace {

namespace sb = copyproof::ssm_bounds;

constexpr std::uint64_t kDefaultSamples = 100000;
constexpr int kLemmaDigits = 20;

struct PngramOptions {
  int alphabet = 2;
  int ngram = 1;
  std::int64_t length = 1;
  bool exact = false, enumerate = false, json = false;
  std::int64_t samples = 0;
  std::int64_t seed = 1;
  int threads = default_threads();
  CLI::Option* samples_opt = nullptr;
};

// Lemma 2.4 next to the result: both forms, rounded up (they are upper bounds).
nlohmann::json lemma_json(const sb::NgramQuery& q) {
  nlohmann::json j;
  const sb::cpp_int pairs = sb::ngram_pairs(q);
  j["lemma_bound"] = pairs == 0
                         ? std::string("0")
                         : sb::format_power_of_two(sb::log2_lemma_bound_pairs(q), kLemmaDigits, sb::Rounding::up);
  j["lemma_bound_paper"] = sb::format_power_of_two(sb::log2_lemma_bound_paper(q), kLemmaDigits, sb::Rounding::up);
  if (sb::lemma_bound_written_out(q)) {
    j["lemma_bound_exact"] = sb::to_string(sb::lemma_bound_pairs(q));
    j["lemma_bound_paper_exact"] = sb::to_string(sb::lemma_bound_paper(q));
  }
  return j;
}

// Whether a probability (or an interval's lower end) is within the sharp bound.
bool within_sharp_bound(const sb::NgramQuery& q, const sb::cpp_rational& p) {
  if (p == 0) return true;
  const sb::cpp_int pairs = sb::ngram_pairs(q);
  if (pairs == 0) return false;
  return (sb::Log2Number::log2_of(p) - sb::log2_lemma_bound_pairs(q)).sign() <= 0;
}

std::optional<sb::ExactNgramProbability> exact_result(const PngramOptions& o, const sb::NgramQuery& q) {
  if (o.enumerate) {
    return with_usage_errors(
        "--enumerate", [&] { return sb::enumerate_all_strings(q, o.threads); }, " strings; use --exact or --samples");
  }
  if (o.samples_opt->count()) return std::nullopt;
  auto result = sb::exact_ngram_probability(q);
  if (!result && o.exact)
    throw UsageError("--exact: too large for an exact count (the de Bruijn trail search exceeds " +
                     std::to_string(sb::kTrailSearchNodeBudget) + " nodes); use --samples");
  return result;
}

int run_pngram(const PngramOptions& o) {
  if (o.exact + o.enumerate + (o.samples_opt->count() > 0) > 1)
    throw UsageError("--exact, --enumerate, --samples: give at most one");
  const sb::NgramQuery q{o.alphabet, o.ngram, o.length};
  nlohmann::json j = {{"alphabet", o.alphabet}, {"ngram", o.ngram}, {"length", o.length}};
  j.update(lemma_json(q));

  if (const auto exact = exact_result(o, q)) {
    j["method"] = sb::method_name(exact->method);
    j["probability"] = static_cast<double>(exact->probability);
    if (sb::probability_written_out(*exact)) {
      j["probability_exact"] = sb::to_string(exact->probability);
    } else {  // a fraction of over kExactWriteOutBits bits: its decimal digits, rounded both ways
      j["probability_rounded_down"] = sb::format_rational(exact->probability, sb::kBoundDigits, sb::Rounding::down);
      j["probability_rounded_up"] = sb::format_rational(exact->probability, sb::kBoundDigits, sb::Rounding::up);
    }
    if (exact->strings_without_repeat) j["strings_without_repeat"] = json_integer(*exact->strings_without_repeat);
    j["within_lemma_bound"] = within_sharp_bound(q, exact->probability);
  } else {
    const std::uint64_t samples = o.samples_opt->count() ? static_cast<std::uint64_t>(o.samples) : kDefaultSamples;
    // Per worker: the string (2 bytes a letter) and an n-gram table (16 bytes a slot, up to 4 slots a letter).
    require_memory(static_cast<std::uint64_t>(o.threads) * static_cast<std::uint64_t>(o.length) * 66, "--length",
                   "Monte Carlo at this length");
    const bool show = progress_enabled() && !o.json;
    const auto estimate = sb::estimate_ngram_probability(
        q, samples, static_cast<std::uint64_t>(o.seed), o.threads, [show](std::uint64_t done, std::uint64_t total) {
          if (show) std::cerr << "\rsamples " << done << " / " << total << (done == total ? "\n" : "") << std::flush;
        });
    j["method"] = sb::method_name(sb::NgramMethod::monte_carlo);
    j["probability"] = estimate.probability;
    j["samples"] = estimate.samples;
    j["hits"] = estimate.hits;
    j["ci_low"] = estimate.ci_low;
    j["ci_high"] = estimate.ci_high;
    j["seed"] = estimate.seed;
    j["within_lemma_bound"] = within_sharp_bound(q, sb::cpp_rational(estimate.ci_low));
  }
  if (o.json) {
    print_json(j);
    return kExitPass;
  }
  std::printf("p_ngram for D=%d, n=%d, L=%lld (%s):\n", o.alphabet, o.ngram, static_cast<long long>(o.length),
              j["method"].get<std::string>().c_str());
  if (j.contains("probability_exact"))
    std::printf("  p = %s (exactly; %.10g)\n", j["probability_exact"].get<std::string>().c_str(),
                j["probability"].get<double>());
  else if (j.contains("probability_rounded_down"))
    std::printf("  p in [%s, %s] (exact, a fraction too long to write out: %d digits rounded down and up)\n",
                j["probability_rounded_down"].get<std::string>().c_str(),
                j["probability_rounded_up"].get<std::string>().c_str(), sb::kBoundDigits);
  else
    std::printf("  p ~ %.6g, 95%% Wilson interval [%.6g, %.6g] from %s samples (seed %s)\n",
                j["probability"].get<double>(), j["ci_low"].get<double>(), j["ci_high"].get<double>(),
                j["samples"].dump().c_str(), j["seed"].dump().c_str());
  std::printf("  Lemma 2.4: p <= C(L-n+1,2) D^-n = %s <= L^2 D^-n = %s\n", j["lemma_bound"].get<std::string>().c_str(),
              j["lemma_bound_paper"].get<std::string>().c_str());
  return kExitPass;
}

}  // namespace

void add_pngram_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PngramOptions>();
  auto* cmd = app.add_subcommand("pngram", "Probability of a repeated n-gram in a uniform string, next to Lemma 2.4");
  add_integer_option(*cmd, "--alphabet,-D", o->alphabet, 2, 65536, "Alphabet size D")->required();
  add_integer_option(*cmd, "--ngram,-n", o->ngram, 1, 1 << 20, "n-gram size n")->required();
  add_integer_option(*cmd, "--length,-L", o->length, 1, std::int64_t{1} << 32, "String length L")->required();
  cmd->add_flag("--exact", o->exact, "Exact only (closed form or de Bruijn trail count); refuse if too large");
  cmd->add_flag("--enumerate", o->enumerate, "Exact by enumerating all D^L strings (a cross-check; D^L <= 2^20)");
  o->samples_opt = add_integer_option(*cmd, "--samples", o->samples, 1, std::int64_t{1} << 40,
                                      "Monte Carlo with this many strings (default: exact when it fits, else 1e5)");
  add_integer_option(*cmd, "--seed", o->seed, 0, std::numeric_limits<std::int64_t>::max(), "Monte Carlo seed");
  add_integer_option(*cmd, "--threads", o->threads, 1, 1024, "Worker threads (default: all cores)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->footer(example_footer("copyproof pngram --alphabet 2 --ngram 5 --length 24 --exact --json"));
  cmd->callback([o, &exit_code] { exit_code = run_pngram(*o); });
}

}  // namespace copyproof::cli
