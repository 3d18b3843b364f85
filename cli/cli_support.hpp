#pragma once
// What every subcommand shares: exit codes, the usage error, option helpers that
// validate before anything is allocated, JSON output, memory checks, progress.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "copyproof/common/byte_size.hpp"

namespace copyproof::cli {

// Exit codes (architecture.md): 0 every checked claim holds, 1 a claim FAILED, 2 bad usage.
inline constexpr int kExitPass = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitUsage = 2;

// Bad usage or input. The message is one line naming the flag and the allowed range;
// main() prints it and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `value` when the option was given on the command line, else nothing.
template <class T>
std::optional<T> given(const CLI::Option* option, T value) {
  return option->count() > 0 ? std::optional<T>(value) : std::nullopt;
}

// Runs `action` and maps the library's bad-input exception (std::invalid_argument, whose
// message names the field) to a UsageError naming `flag`: "<flag>: <message><suffix>"
// (exit 2). The one mapping every subcommand uses; anything else stays an internal error.
template <class Action>
decltype(auto) with_usage_errors(const std::string& flag, Action&& action, const std::string& suffix = {}) {
  try {
    return action();
  } catch (const std::invalid_argument& e) {
    throw UsageError((flag.empty() ? "" : flag + ": ") + e.what() + suffix);
  }
}

// Parses a whole string as an integer. Accepts plain digits and exact scientific
// notation ("1e6", "2.5e3"); rejects anything else, fractions and overflow.
std::optional<std::int64_t> parse_integer(std::string_view text);
std::optional<double> parse_real(std::string_view text);
// "10,20,40" -> {10, 20, 40}; each item an integer in [lo, hi], else UsageError naming flag.
std::vector<int> parse_integer_list(const std::string& text, const std::string& flag, int lo, int hi);

// Adds an integer option checked against [lo, hi] while parsing; a bad value gives
// "--flag: 'x' is not an integer in [lo, hi]" (exit 2).
CLI::Option* add_integer_option(CLI::App& app, const std::string& flags, std::int64_t& value, std::int64_t lo,
                                std::int64_t hi, const std::string& help);
CLI::Option* add_integer_option(CLI::App& app, const std::string& flags, int& value, int lo, int hi,
                                const std::string& help);
// Same for a real number in the open or closed interval described by `range_text`.
CLI::Option* add_real_option(CLI::App& app, const std::string& flags, double& value, double lo, double hi,
                             bool open_interval, const std::string& help);

// Prints exactly one JSON object on stdout.
void print_json(const nlohmann::json& object);

// Memory this machine can give a run now (MemAvailable), in bytes; 0 if unknown.
std::uint64_t available_memory_bytes();
// Throws UsageError naming `flag` when `bytes` exceeds the available memory.
void require_memory(std::uint64_t bytes, const std::string& flag, const std::string& what);
using common::format_bytes;  // common/byte_size.hpp

// Throws UsageError naming `flag` unless `path` can be written: not empty, not a directory,
// its directory exists, and a probe file can be created there (and is removed again). Run
// before any work, so a long run does not end in "cannot write" with its result lost.
void require_writable_file(const std::string& path, const std::string& flag);

// Throws UsageError("<flag>: an empty value ...") when one of `flags` was given as ''. For
// an optional path or list, '' would otherwise mean "not given" (no log, the default
// windows) or the current directory (study --data ''), silently.
void refuse_empty_values(const CLI::App& cmd, std::initializer_list<const char*> flags);

// Progress lines on stderr, only when stderr is a terminal (never mixed into --json stdout).
bool progress_enabled();

// Worker threads to use when the user did not say: every core this process may run on.
int default_threads();

// Every subcommand's --help ends with an example; this formats it.
std::string example_footer(std::string_view example);

}  // namespace copyproof::cli
