// `copyproof bound`: Theorem 2.7 for a state size (bits, count, numbers or a published
// architecture), Corollary 2.8 and the inverse queries, exactly; `--table` sets the
// GSSM's state bits beside the copy transformer's size over many lengths.

#include <cstdio>
#include <memory>
#include <optional>

#include "bound_reports.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "copyproof/ssm_bounds/architecture_presets.hpp"
#include "copyproof/ssm_bounds/copy_error_bound.hpp"
#include "copyproof/ssm_bounds/decimal_format.hpp"
#include "copyproof/ssm_bounds/preset_report.hpp"
#include "copyproof/ssm_bounds/transformer_side.hpp"
#include "exact_json.hpp"

namespace copyproof::cli {
namespace {

namespace sb = copyproof::ssm_bounds;

constexpr std::int64_t kMaxLength = 1'000'000'000'000'000'000;      // 1e18
constexpr std::int64_t kMaxStateNumbers = 100'000'000'000'000'000;  // 1e17: bits stay below 2^63

struct BoundOptions {
  int alphabet = 0;
  std::int64_t length = 0;
  std::string state_bits, states, epsilon, preset;
  std::int64_t state_numbers = 0;
  int bits_per_number = sb::kDefaultBitsPerNumber;
  std::int64_t d_model = 0, layers = 0, d_state = 0, heads = 0;
  std::vector<std::string> lengths;
  bool table = false, list_presets = false, json = false;
  // Which options were given (CLI11 keeps the counts on the Option objects).
  CLI::Option *alphabet_opt = nullptr, *length_opt = nullptr, *state_bits_opt = nullptr, *states_opt = nullptr,
              *numbers_opt = nullptr, *preset_opt = nullptr, *epsilon_opt = nullptr, *bits_opt = nullptr,
              *d_model_opt = nullptr, *layers_opt = nullptr, *d_state_opt = nullptr, *heads_opt = nullptr;
};

// An exact decimal option checked against [lo, hi] (or the open interval) while parsing;
// the text is kept so the value stays exact (0.1 is 1/10, not the nearest double).
CLI::Option* add_exact_decimal_option(CLI::App& app, const std::string& flags, std::string& text,
                                      const sb::cpp_rational& lo, const sb::cpp_rational& hi, bool open,
                                      const std::string& allowed, const std::string& help) {
  auto* opt = app.add_option(flags, text, help);
  opt->check(CLI::Validator(
      [lo, hi, open, allowed](std::string& value) -> std::string {
        const auto parsed = sb::parse_decimal(value);
        const bool inside = parsed && (open ? (*parsed > lo && *parsed < hi) : (*parsed >= lo && *parsed <= hi));
        return inside ? std::string() : "'" + value + "' is not a number in " + allowed;
      },
      "NUMBER in " + allowed));
  return opt;
}

// A builder preset names each flag it misses, with the flag's range.
void check_builder_flags(const BoundOptions& o) {
  struct Flag {
    const char* name;
    const CLI::Option* opt;
    const char* range;
  };
  const Flag flags[] = {{"--d-model", o.d_model_opt, "[1, 16777216]"},
                        {"--layers", o.layers_opt, "[1, 65536]"},
                        {"--d-state", o.d_state_opt, "[2, 65536], even"},
                        {"--heads", o.heads_opt, "[1, 65536]"}};
  const auto& builders = sb::builder_names();
  if (std::find(builders.begin(), builders.end(), o.preset) == builders.end()) return;
  for (const auto& needed : sb::builder_required_flags(o.preset))
    for (const auto& f : flags)
      if (needed == f.name && !f.opt->count())
        throw UsageError(needed + ": required by --preset " + o.preset + ", an integer in " + f.range);
}

// With --preset, numbers count at --bits-per-number when given, else at each state
// component's native format (bf16, fp32, ...).
std::optional<int> preset_bits(const BoundOptions& o) {
  return o.bits_opt->count() ? std::optional<int>(o.bits_per_number) : std::nullopt;
}

// The state the query is about, from exactly one of the four ways to give it.
struct ResolvedState {
  sb::StateSize size;
  std::optional<sb::ArchitecturePreset> preset;
  sb::cpp_int numbers_stored, numbers_effective;
};

ResolvedState resolve_state(const BoundOptions& o, const sb::cpp_int& length) {
  ResolvedState r;
  if (o.state_bits_opt->count()) {
    r.size = sb::state_of_bits(*sb::parse_decimal(o.state_bits));
  } else if (o.states_opt->count()) {
    r.size = sb::state_of_count(sb::cpp_int(o.states));
  } else if (o.numbers_opt->count()) {
    r.numbers_stored = r.numbers_effective = o.state_numbers;
    r.size = sb::state_of_numbers(o.state_numbers, o.bits_per_number);
  } else {
    check_builder_flags(o);
    const sb::BuilderSizes sizes{given(o.d_model_opt, o.d_model), given(o.layers_opt, o.layers),
                                 given(o.d_state_opt, o.d_state), given(o.heads_opt, o.heads)};
    // The library's message names the builder flag it rejects.
    const std::optional<sb::ArchitecturePreset> preset =
        with_usage_errors("", [&] { return sb::find_architecture(o.preset, sizes); });
    if (!preset) throw UsageError("--preset: unknown preset '" + o.preset + "'; presets: " + sb::architecture_names());
    r.numbers_stored = preset->state_numbers(length, false);
    r.numbers_effective = preset->state_numbers(length, true);
    r.size = sb::state_of_bits(sb::cpp_rational(preset->state_bits(length, preset_bits(o))));
    r.preset = preset;
  }
  return r;
}

void check_combination(const BoundOptions& o) {
  const int sources = static_cast<int>(o.state_bits_opt->count() + o.states_opt->count() + o.numbers_opt->count() +
                                       o.preset_opt->count());
  if (sources != 1)
    throw UsageError(
        "--state-bits, --states, --state-numbers, --preset: give exactly one (or --table / --list-presets)");
  if (!o.length_opt->count()) throw UsageError("--length: required, an integer in [1, 1e18]");
  if (!o.alphabet_opt->count() && !o.preset_opt->count())
    throw UsageError("--alphabet: required unless --preset is given, an integer in [2, 65536]");
  if (o.bits_opt->count() && (o.state_bits_opt->count() || o.states_opt->count()))
    throw UsageError("--bits-per-number: only with --state-numbers or --preset");
}

void print_text(const BoundOptions& o, int alphabet, const ResolvedState& r, const sb::CopyErrorBound& b,
                const nlohmann::json& j) {
  if (r.preset) {
    const auto& p = *r.preset;
    std::printf("%s (%s; %s)\n  state: %s numbers stored, %s effective", p.name.c_str(), p.family.c_str(),
                p.config.c_str(), r.numbers_stored.str().c_str(), r.numbers_effective.str().c_str());
    if (!p.fixed_state())
      std::printf(" = %s fixed + %s per token x (L + 2) cached tokens", p.fixed_numbers(true).str().c_str(),
                  p.growth_per_token(true).str().c_str());
    std::printf(", %s bits per number -> %s state bits\n", j["bits_per_number"].dump().c_str(),
                j["state_bits"].dump().c_str());
    if (!p.fixed_state())
      std::printf(
          "  NOT a fixed-state model: its KV cache grows with L, so Theorem 2.7 does not apply;\n"
          "  the numbers below treat the state at this L as if it were fixed\n");
  }
  std::printf("Theorem 2.7, D=%d, L=%lld, |S| = %s:\n", alphabet, static_cast<long long>(o.length),
              r.size.text.c_str());
  if (b.vacuous) {
    std::printf("  error > 0 only: |S| >= D^L, the state can hold every string (vacuous)\n");
  } else {
    std::printf("  error > %s\n        >= %s\n", b.exact_form.c_str(), b.decimal.c_str());
  }
  std::printf("  log2|S| - L log2 D = %s; it copies at most a fraction %s of the strings\n",
              j["log2_ratio"].get<std::string>().c_str(), b.copyable_fraction.c_str());
  std::printf("  error > 1/2 guaranteed: %s (Corollary 2.8's hypothesis mem(S) < L log2 D - 1: %s)\n",
              b.exceeds_half ? "yes" : "no", b.corollary_2_8 ? "holds" : "fails");
  std::printf("  longest L with error <= 1/2 still possible: %s\n", j["max_length_half"].dump().c_str());
  if (j.contains("max_length_epsilon"))
    std::printf("  longest L with error <= %s still possible: %s\n", o.epsilon.c_str(),
                j["max_length_epsilon"].dump().c_str());
  std::printf("  fewest state bits for error <= %s at this L: %s\n",
              j["min_state_bits_epsilon"].get<std::string>().c_str(), j["min_state_bits"].dump().c_str());
  if (j.contains("transformer")) {
    const auto& t = j["transformer"];
    if (t.contains("d_model"))
      std::printf(
          "  copy transformer for error <= %s: n = %d (paper's L^2 D^-n: %d), d_model %d, %lld params,\n"
          "    %lld KV numbers per token (%s once the input is read), lambda %.3f (%d bits)\n",
          o.epsilon.c_str(), t["ngram"].get<int>(), t["ngram_paper"].get<int>(), t["d_model"].get<int>(),
          t["params"].get<long long>(), t["kv_numbers_per_token"].get<long long>(),
          t["kv_numbers_at_copy"].dump().c_str(), t["lambda"].get<double>(), t["lambda_bits"].get<int>());
    else
      std::printf("  copy transformer for error <= %s: n = %d, past the construction's cap (%s)\n", o.epsilon.c_str(),
                  t["ngram"].get<int>(), t["construction_unavailable"].get<std::string>().c_str());
  }
}

int run_single(const BoundOptions& o) {
  check_combination(o);
  const sb::cpp_int length = o.length;
  const ResolvedState r = resolve_state(o, length);
  // A preset's default alphabet is its own tokenizer's vocabulary.
  const int alphabet = o.alphabet_opt->count() ? o.alphabet : r.preset->vocabulary;
  const sb::CopyErrorBound b = sb::copy_error_lower_bound(r.size, alphabet, length);
  const sb::cpp_rational half(1, 2);
  const std::optional<sb::cpp_rational> epsilon =
      o.epsilon_opt->count() ? sb::parse_decimal(o.epsilon) : std::optional<sb::cpp_rational>();

  nlohmann::json j = {{"alphabet", alphabet},
                      {"length", o.length},
                      {"states", r.size.text},
                      {"log2_states", sb::format_log2(r.size.log2_states)},
                      {"log2_ratio", sb::format_log2(b.log2_ratio)},
                      {"log2_ratio_expression", b.log2_ratio.expression()},
                      {"error_lower_bound", b.exact_form},
                      {"error_lower_bound_decimal", b.decimal},
                      {"copyable_fraction", b.copyable_fraction},
                      {"vacuous", b.vacuous},
                      {"error_exceeds_half", b.exceeds_half},
                      {"corollary_2_8", b.corollary_2_8},
                      {"max_length_half", json_integer(sb::max_copy_length(r.size, alphabet, half))},
                      {"min_state_bits_epsilon", epsilon ? o.epsilon : "1/2"},
                      {"min_state_bits", json_integer(sb::min_state_bits(alphabet, length, epsilon.value_or(half)))}};
  if (epsilon) {
    j["epsilon"] = o.epsilon;
    j["max_length_epsilon"] = json_integer(sb::max_copy_length(r.size, alphabet, *epsilon));
    j["transformer"] = transformer_side_json(sb::transformer_side(alphabet, length, *epsilon));
  }
  if (r.preset) j.update(sb::preset_state_json(*r.preset, length, preset_bits(o)));
  if (o.json)
    print_json(j);
  else
    print_text(o, alphabet, r, b, j);
  return kExitPass;
}

int run_table(const BoundOptions& o) {
  if (!o.alphabet_opt->count()) throw UsageError("--alphabet: required with --table, an integer in [2, 65536]");
  if (o.lengths.empty()) throw UsageError("--lengths: required with --table, e.g. 10,100,1e3,1e6");
  BoundTableRequest request;
  request.alphabet = o.alphabet;
  for (const auto& text : o.lengths) request.lengths.emplace_back(*parse_integer(text));
  request.epsilon_text = o.epsilon_opt->count() ? o.epsilon : "0.01";
  request.epsilon = *sb::parse_decimal(request.epsilon_text);
  request.json = o.json;
  return print_bound_table(request);
}

}  // namespace

void add_bound_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BoundOptions>();
  auto* cmd = app.add_subcommand(
      "bound", "Theorem 2.7 exactly: the copy error every fixed-state model must make, and the inverse queries");
  o->alphabet_opt = add_integer_option(*cmd, "--alphabet,-D", o->alphabet, 2, 65536,
                                       "Alphabet size D (default with --preset: the preset's vocabulary)");
  o->length_opt = add_integer_option(*cmd, "--length,-L", o->length, 1, kMaxLength, "String length L");
  o->state_bits_opt = add_exact_decimal_option(*cmd, "--state-bits", o->state_bits, 0, sb::cpp_rational(kMaxLength),
                                               false, "[0, 1e18]", "State size as log2|S| bits (fractions allowed)");
  o->states_opt = cmd->add_option("--states", o->states, "State size as an exact count |S| (decimal digits)");
  o->states_opt->check(CLI::Validator(
      [](std::string& v) -> std::string {
        const bool digits = !v.empty() && v.size() <= 4000 && v.find_first_not_of("0123456789") == std::string::npos;
        return digits && v.find_first_not_of('0') != std::string::npos
                   ? std::string()
                   : "'" + v + "' is not an integer in [1, 10^4000)";
      },
      "INT >= 1"));
  o->numbers_opt = add_integer_option(*cmd, "--state-numbers", o->state_numbers, 1, kMaxStateNumbers,
                                      "State size as N stored numbers (of --bits-per-number bits)");
  o->preset_opt = cmd->add_option("--preset", o->preset, "A published architecture or a builder (--list-presets)");
  o->bits_opt =
      add_integer_option(*cmd, "--bits-per-number", o->bits_per_number, 1, 64,
                         "Bits per stored number (default: --state-numbers 16; --preset each state's native format)");
  o->d_model_opt =
      add_integer_option(*cmd, "--d-model", o->d_model, 1, 1 << 24, "Builder presets: width / hidden size");
  o->layers_opt = add_integer_option(*cmd, "--layers", o->layers, 1, 1 << 16, "Builder presets: number of layers");
  o->d_state_opt = add_integer_option(*cmd, "--d-state", o->d_state, 2, 1 << 16, "Builder s4d: state size N (even)");
  o->heads_opt = add_integer_option(*cmd, "--heads", o->heads, 1, 1 << 16, "Builder linear-attention: heads");
  o->epsilon_opt = add_exact_decimal_option(*cmd, "--epsilon", o->epsilon, 0, 1, true, "(0, 1)",
                                            "Target error eps (inverse queries, transformer side)");
  cmd->add_flag("--table", o->table, "Table over --lengths: GSSM state bits beside the transformer's size");
  cmd->add_option("--lengths", o->lengths, "Comma-separated lengths for --table (1e3 accepted)")
      ->delimiter(',')
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            const auto parsed = parse_integer(v);
            return parsed && *parsed >= 1 && *parsed <= kMaxLength ? std::string()
                                                                   : "'" + v + "' is not an integer in [1, 1e18]";
          },
          "INT in [1, 1e18]"));
  cmd->add_flag("--list-presets", o->list_presets, "List the architecture presets and builders");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->footer(example_footer("copyproof bound --preset mamba-130m --length 1e6 --epsilon 0.01"));
  cmd->callback([o, &exit_code] {
    if (o->list_presets)
      exit_code = print_preset_list(o->json);
    else if (o->table)
      exit_code = run_table(*o);
    else
      exit_code = run_single(*o);
  });
}

}  // namespace copyproof::cli
