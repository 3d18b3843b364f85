#pragma once
// Parsing a command line with the subcommands added to `app`, and mapping every failure
// to the exit code and one-line message the CLI reports: one definition, used by main()
// and by the Python module (which raises ValueError with the same message).

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace copyproof::cli {

inline constexpr int kExitInternal = 3;  // a bug: an exception nobody mapped to a usage error

struct AppOutcome {
  int exit_code = 0;
  std::string error;  // the one-line message after "copyproof: error: " (empty when none)
};

// args excludes the program name. `exit_code` is what the subcommand's action stored.
AppOutcome run_app(CLI::App& app, std::vector<std::string> args, const int& exit_code);

// print_json's hook: stores `object` in this thread's live JsonCapture and returns true,
// or returns false when there is none (then print_json writes to stdout).
bool capture_json(const nlohmann::json& object);

// While one is alive on this thread, print_json stores its object here instead of
// writing it to stdout (the Python module returns the CLI's JSON as a dict).
class JsonCapture {
 public:
  JsonCapture();
  ~JsonCapture();
  JsonCapture(const JsonCapture&) = delete;
  JsonCapture& operator=(const JsonCapture&) = delete;
  const nlohmann::json& value() const { return value_; }

 private:
  friend bool capture_json(const nlohmann::json& object);
  nlohmann::json value_;
  JsonCapture* previous_;
};

}  // namespace copyproof::cli
