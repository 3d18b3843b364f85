// copyproof: checks, by construction and by computation, that a two-layer transformer
// copies strings of exponential length while fixed-state models cannot.

#include <exception>
#include <iostream>
#include <new>

#include "cli_support.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace copyproof::cli;
  CLI::App app{
      "copyproof: check that transformers copy and fixed-state models cannot\n"
      "(Jelassi et al., \"Repeat After Me\", ICML 2024). Run `copyproof check` for the whole suite.",
      "copyproof"};
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", "copyproof 0.1.0");

  int exit_code = kExitPass;
  add_construct_command(app, exit_code);
  add_copy_command(app, exit_code);
  add_verify_command(app, exit_code);
  add_check_command(app, exit_code);
  add_bound_command(app, exit_code);
  add_pngram_command(app, exit_code);
  add_train_command(app, exit_code);
  add_eval_command(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports a misspelt subcommand as "A subcommand is required": name the word.
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      std::cerr << "copyproof: error: unknown subcommand '" << argv[1] << "' (see --help for the list)\n";
      return kExitUsage;
    }
    std::cerr << "copyproof: error: " << e.what() << " (see --help)\n";
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "copyproof: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    std::cerr << "copyproof: error: out of memory; try a smaller --length or --samples\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "copyproof: internal error: " << e.what() << "\n";
    return 3;
  }
  return exit_code;
}
