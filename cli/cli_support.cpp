#include "cli_support.hpp"
#include "run_app.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace copyproof::cli {

std::optional<double> parse_real(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec == std::errc() && ptr == last) return value;
  // Exact scientific notation such as 1e6 or 2.5e3: accept only if it denotes an integer
  // that a double holds exactly (|x| < 2^53) or a power-of-ten product that fits int64.
  if (text.find_first_of("eE") == std::string_view::npos) return std::nullopt;
  const auto real = parse_real(text);
  if (!real || *real != std::floor(*real) || std::fabs(*real) > 9.2e18) return std::nullopt;
  if (std::fabs(*real) < 9007199254740992.0) return static_cast<std::int64_t>(*real);
  // Large values: mantissa digits times 10^k, computed in integers.
  const auto e = text.find_first_of("eE");
  std::string mantissa(text.substr(0, e));
  auto exponent = parse_integer(text.substr(e + 1));
  if (!exponent) return std::nullopt;
  std::int64_t exp10 = *exponent;
  const auto dot = mantissa.find('.');
  if (dot != std::string::npos) {
    exp10 -= static_cast<std::int64_t>(mantissa.size() - dot - 1);
    mantissa.erase(dot, 1);
  }
  std::int64_t digits = 0;
  auto [p2, ec2] = std::from_chars(mantissa.data(), mantissa.data() + mantissa.size(), digits);
  if (ec2 != std::errc() || p2 != mantissa.data() + mantissa.size() || exp10 < 0) return std::nullopt;
  for (std::int64_t i = 0; i < exp10; ++i) {
    if (__builtin_mul_overflow(digits, std::int64_t{10}, &digits)) return std::nullopt;
  }
  return digits;
}

namespace {

std::string range_text(std::int64_t lo, std::int64_t hi) {
  return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

template <class Int>
CLI::Option* add_checked_integer(CLI::App& app, const std::string& flags, Int& value, Int lo, Int hi,
                                 const std::string& help) {
  auto* opt = app.add_option(flags, value, help);
  // transform, not check: CLI11 hands check() validators a copy, so the rewrite of "1e6"
  // into plain digits would be lost and the conversion to an integer would fail.
  opt->transform(CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        const auto parsed = parse_integer(text);
        if (!parsed || *parsed < lo || *parsed > hi)
          return "'" + text + "' is not an integer in " + range_text(lo, hi);
        text = std::to_string(*parsed);  // hand CLI11 plain digits to convert
        return {};
      },
      ""));
  opt->type_name("INT in " + range_text(lo, hi));
  return opt;
}

}  // namespace

CLI::Option* add_integer_option(CLI::App& app, const std::string& flags, std::int64_t& value, std::int64_t lo,
                                std::int64_t hi, const std::string& help) {
  return add_checked_integer<std::int64_t>(app, flags, value, lo, hi, help);
}

CLI::Option* add_integer_option(CLI::App& app, const std::string& flags, int& value, int lo, int hi,
                                const std::string& help) {
  return add_checked_integer<int>(app, flags, value, lo, hi, help);
}

CLI::Option* add_real_option(CLI::App& app, const std::string& flags, double& value, double lo, double hi,
                             bool open_interval, const std::string& help) {
  std::ostringstream range;
  range << (open_interval ? "(" : "[") << lo << ", " << hi << (open_interval ? ")" : "]");
  const std::string allowed = range.str();
  auto* opt = app.add_option(flags, value, help);
  opt->check(CLI::Validator(
      [lo, hi, open_interval, allowed](std::string& text) -> std::string {
        const auto parsed = parse_real(text);
        const bool inside = parsed && (open_interval ? (*parsed > lo && *parsed < hi) : (*parsed >= lo && *parsed <= hi));
        if (!inside) return "'" + text + "' is not a number in " + allowed;
        return {};
      },
      ""));
  opt->type_name("NUMBER in " + allowed);
  return opt;
}

void print_json(const nlohmann::json& object) {
  if (!capture_json(object)) std::cout << object.dump(2) << std::endl;
}

std::uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

void require_memory(std::uint64_t bytes, const std::string& flag, const std::string& what) {
  const std::uint64_t available = available_memory_bytes();
  if (available != 0 && bytes > available)
    throw UsageError(flag + ": " + what + " needs " + format_bytes(static_cast<double>(bytes)) + " but only " +
                     format_bytes(static_cast<double>(available)) + " is available; choose a smaller value");
}

bool progress_enabled() { return isatty(STDERR_FILENO) != 0; }

int default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::string example_footer(std::string_view example) { return "\nExample:\n  " + std::string(example) + "\n"; }

}  // namespace copyproof::cli
