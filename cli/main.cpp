// copyproof: checks, by construction and by computation, that a two-layer transformer
// copies strings of exponential length while fixed-state models cannot.

#include <iostream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "commands.hpp"
#include "run_app.hpp"
#include "version.hpp"

int main(int argc, char** argv) {
  using namespace copyproof::cli;
  CLI::App app{
      "copyproof: check that transformers copy and fixed-state models cannot\n"
      "(Jelassi et al., \"Repeat After Me\", ICML 2024). Run `copyproof check` for the whole suite.",
      "copyproof"};
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", kVersion);

  int exit_code = kExitPass;
  add_construct_command(app, exit_code);
  add_copy_command(app, exit_code);
  add_verify_command(app, exit_code);
  add_check_command(app, exit_code);
  add_bound_command(app, exit_code);
  add_pngram_command(app, exit_code);
  add_train_command(app, exit_code);
  add_eval_command(app, exit_code);
  add_certify_command(app, exit_code);
  add_figures_command(app, exit_code);
  add_study_command(app, exit_code);

  std::vector<std::string> args(argv + 1, argv + argc);
  const AppOutcome outcome = run_app(app, std::move(args), exit_code);
  if (outcome.exit_code == kExitInternal)
    std::cerr << "copyproof: " << outcome.error << "\n";
  else if (!outcome.error.empty())
    std::cerr << "copyproof: error: " << outcome.error << "\n";
  return outcome.exit_code;
}
