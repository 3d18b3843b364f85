#pragma once
// One function per subcommand: it adds the subcommand, its options and its action to
// `app`. The action stores the process exit code in `exit_code`. Each lives in its own
// cmd_<name>.cpp.

#include <CLI/CLI.hpp>

namespace copyproof::cli {

void add_construct_command(CLI::App& app, int& exit_code);
void add_copy_command(CLI::App& app, int& exit_code);
void add_verify_command(CLI::App& app, int& exit_code);
void add_check_command(CLI::App& app, int& exit_code);
void add_bound_command(CLI::App& app, int& exit_code);
void add_pngram_command(CLI::App& app, int& exit_code);
void add_train_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_certify_command(CLI::App& app, int& exit_code);
void add_figures_command(CLI::App& app, int& exit_code);
void add_study_command(CLI::App& app, int& exit_code);

}  // namespace copyproof::cli
