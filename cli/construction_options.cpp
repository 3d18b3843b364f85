#include "construction_options.hpp"

#include "cli_support.hpp"
#include "copyproof/construction/codes.hpp"
#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::cli {

CLI::Option* add_alphabet_option(CLI::App& cmd, int& alphabet) {
  return add_integer_option(cmd, "--alphabet,-D", alphabet, 2, construction::kMaxAlphabet, "Alphabet size D");
}

CLI::Option* add_ngram_option(CLI::App& cmd, int& ngram) {
  return add_integer_option(cmd, "--ngram,-n", ngram, 1, construction::kMaxDModel, "n-gram size n of the hash");
}

CLI::Option* add_diagnostic_lambda_scale_option(CLI::App& cmd, double& scale) {
  auto* opt = cmd.add_option("--diagnostic-lambda-scale", scale,
                             "Diagnostics: multiply layer 2's lambda by X in (0, 1], a deliberately broken model "
                             "(default 1)");
  opt->check(CLI::Validator(
      [](std::string& text) -> std::string {
        const auto parsed = parse_real(text);
        if (!parsed || !(*parsed > 0.0 && *parsed <= 1.0)) return "'" + text + "' is not a number in (0, 1]";
        return {};
      },
      ""));
  opt->type_name("X in (0, 1]");
  return opt;
}

construction::CopyTransformerShape checked_shape(int alphabet, int ngram) {
  const int largest_n = construction::max_ngram(alphabet);
  return with_usage_errors(
      "--ngram", [&] { return construction::copy_transformer_shape(alphabet, ngram); },
      "; for D = " + std::to_string(alphabet) + " the allowed range is [1, " + std::to_string(largest_n) + "]");
}

}  // namespace copyproof::cli
