// Fuzz target: numeric flag values. The input is one flag value as typed. Checks:
//  - parse_integer (every integer flag: plain digits or exact scientific notation) against
//    an independent exact reader, ssm_bounds' parse_decimal (Boost rationals): whatever
//    parse_integer accepts must be exactly the decimal's value, and any text in scientific
//    notation whose exact value is an int64 integer must be accepted with that value;
//  - parse_real (real flags) returns only finite numbers;
//  - an integer flag through CLI11 (add_integer_option) takes a value iff it parses and is in
//    range, and then holds exactly that value;
//  - parse_integer_list (eval --lengths, train --windows) gives one in-range value per item.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "cli_support.hpp"
#include "copyproof/ssm_bounds/exact_numbers.hpp"

namespace {

namespace sb = copyproof::ssm_bounds;
using copyproof::cli::parse_integer;

void check_against_exact_decimal(std::string_view text) {
  const auto integer = parse_integer(text);
  const auto exact = sb::parse_decimal(text);
  if (integer) {
    // parse_decimal reads exponents of at most 4 digits; beyond that it has no opinion.
    if (exact && *exact != sb::cpp_rational(*integer)) std::abort();
    return;
  }
  // Refused: fine unless the text is scientific notation for an int64 integer.
  if (!exact || text.find_first_of("eE") == std::string_view::npos) return;
  if (denominator(*exact) != 1) return;
  const sb::cpp_int value = numerator(*exact);
  if (value >= std::numeric_limits<std::int64_t>::min() && value <= std::numeric_limits<std::int64_t>::max())
    std::abort();
}

// The app of one integer flag, built once (building it per input cost more than the parse);
// clear() before each parse resets what the last input left, as a fresh app would be.
struct IntegerFlagApp {
  static constexpr std::int64_t lo = 1, hi = 1'000'000'000'000'000'000;
  CLI::App app;
  std::int64_t value = -1;
  IntegerFlagApp() { copyproof::cli::add_integer_option(app, "--value", value, lo, hi, ""); }
};

void check_cli_option(const std::string& text) {
  static IntegerFlagApp flag;
  constexpr std::int64_t lo = IntegerFlagApp::lo, hi = IntegerFlagApp::hi;
  CLI::App& app = flag.app;
  std::int64_t& value = flag.value;
  app.clear();
  value = -1;
  const auto expected = parse_integer(text);
  const bool valid = expected && *expected >= lo && *expected <= hi;
  try {
    app.parse(std::vector<std::string>{text, "--value"});  // CLI11 reads the vector back to front
  } catch (const CLI::ParseError&) {
    // CLI11 may refuse a value that looks like a flag ("-5", "--x") before our check runs.
    if (valid && text.rfind('-', 0) != 0) std::abort();
    return;
  }
  if (!valid || value != *expected) std::abort();
}

void check_integer_list(const std::string& text) {
  constexpr int lo = 1, hi = 100000;
  std::vector<int> values;
  try {
    values = copyproof::cli::parse_integer_list(text, "--lengths", lo, hi);
  } catch (const copyproof::cli::UsageError& e) {
    if (std::string_view(e.what()).find('\n') != std::string_view::npos && text.find('\n') == std::string::npos)
      std::abort();
    return;
  }
  const auto commas = static_cast<std::size_t>(std::count(text.begin(), text.end(), ','));
  if (values.size() != commas + 1) std::abort();
  for (int v : values)
    if (v < lo || v > hi) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_against_exact_decimal(text);
  if (const auto real = copyproof::cli::parse_real(text); real && !std::isfinite(*real)) std::abort();
  // A command line cannot hold a NUL byte: CLI11 sees what comes before one.
  const std::string argument = text.substr(0, text.find('\0'));
  check_cli_option(argument);
  check_integer_list(argument);
  return 0;
}
