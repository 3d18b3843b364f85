#pragma once
// Options shared by the subcommands that build the copy transformer (construct, copy,
// verify), declared once so their names, ranges and messages never drift apart.

#include <CLI/CLI.hpp>

#include <cstdint>

#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/verify_plan.hpp"

namespace copyproof::cli {

inline constexpr std::int64_t kMaxLengthFlag = construction::kMaxVerifyLength;  // L and L_max: [1, 2^40]

CLI::Option* add_alphabet_option(CLI::App& cmd, int& alphabet);
CLI::Option* add_ngram_option(CLI::App& cmd, int& ngram);

// --diagnostic-lambda-scale X, X in (0, 1]: builds a deliberately broken model (lambda
// scaled down) so that the checks can be seen to fail. Default 1 (the construction).
CLI::Option* add_diagnostic_lambda_scale_option(CLI::App& cmd, double& scale);

// The shape for (D, n); a d_model over the cap becomes a UsageError naming --ngram.
construction::CopyTransformerShape checked_shape(int alphabet, int ngram);

}  // namespace copyproof::cli
