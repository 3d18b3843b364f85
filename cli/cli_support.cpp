#include "cli_support.hpp"
#include "run_app.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
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

namespace {

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Exact scientific notation ("1e6", "2.5e3", "-1.5E+2") evaluated in decimal: the value is
// digits * 10^scale with the fraction's digits moved into the scale. It is an integer iff
// every digit that scale < 0 cuts off is zero. No step goes through a double, so 1.5e0 and
// 9007199254740993e0 are judged on their digits, not on the nearest binary fraction.
std::optional<std::int64_t> parse_scientific(std::string_view text) {
  const auto e = text.find_first_of("eE");
  if (e == std::string_view::npos) return std::nullopt;
  std::string_view mantissa = text.substr(0, e);
  std::string_view exponent_text = text.substr(e + 1);
  const bool negative = !mantissa.empty() && mantissa.front() == '-';
  if (negative) mantissa.remove_prefix(1);
  const auto dot = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  if (!all_digits(whole) || !all_digits(fraction)) return std::nullopt;
  bool exponent_negative = false;
  if (!exponent_text.empty() && (exponent_text.front() == '+' || exponent_text.front() == '-')) {
    exponent_negative = exponent_text.front() == '-';
    exponent_text.remove_prefix(1);
  }
  if (exponent_text.empty() || !all_digits(exponent_text)) return std::nullopt;
  // The exponent saturates: past 10^12 no string we can hold brings the value back into range.
  std::int64_t exponent = 0;
  for (char c : exponent_text) exponent = std::min<std::int64_t>(exponent * 10 + (c - '0'), 1'000'000'000'000);
  if (exponent_negative) exponent = -exponent;

  std::string digits = std::string(whole) + std::string(fraction);
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) return 0;  // zero times any power of ten
  std::int64_t scale = exponent - static_cast<std::int64_t>(fraction.size());
  if (scale < 0) {
    // -scale digits fall behind the decimal point: all must be zero.
    if (-scale >= static_cast<std::int64_t>(digits.size())) return std::nullopt;  // the leading digit is nonzero
    const auto keep = digits.size() - static_cast<std::size_t>(-scale);
    if (digits.find_first_not_of('0', keep) != std::string::npos) return std::nullopt;
    digits.resize(keep);
    scale = 0;
  }
  // Magnitude in unsigned arithmetic, so that -9223372036854775808 (= -2^63) is reachable.
  std::uint64_t magnitude = 0;
  for (char c : digits)
    if (__builtin_mul_overflow(magnitude, std::uint64_t{10}, &magnitude) ||
        __builtin_add_overflow(magnitude, static_cast<std::uint64_t>(c - '0'), &magnitude))
      return std::nullopt;
  for (std::int64_t i = 0; i < scale; ++i)
    if (__builtin_mul_overflow(magnitude, std::uint64_t{10}, &magnitude)) return std::nullopt;
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;  // |INT64_MIN|
  if (magnitude > kLimit - (negative ? 0 : 1)) return std::nullopt;
  return negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
}

}  // namespace

std::optional<std::int64_t> parse_integer(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec == std::errc() && ptr == last) return value;
  return parse_scientific(text);
}

std::vector<int> parse_integer_list(const std::string& text, const std::string& flag, int lo, int hi) {
  std::vector<int> values;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    const auto v = parse_integer(item);
    if (!v || *v < lo || *v > hi)
      throw UsageError(flag + ": '" + item + "' is not an integer in [" + std::to_string(lo) + ", " +
                       std::to_string(hi) + "] (give a comma-separated list)");
    values.push_back(static_cast<int>(*v));
    pos = comma + 1;
  }
  return values;
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
        if (!parsed || *parsed < lo || *parsed > hi) return "'" + text + "' is not an integer in " + range_text(lo, hi);
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
        const bool inside =
            parsed && (open_interval ? (*parsed > lo && *parsed < hi) : (*parsed >= lo && *parsed <= hi));
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

void require_memory(std::uint64_t bytes, const std::string& flag, const std::string& what) {
  const std::uint64_t available = available_memory_bytes();
  if (available != 0 && bytes > available)
    throw UsageError(flag + ": " + what + " needs " + format_bytes(static_cast<double>(bytes)) + " but only " +
                     format_bytes(static_cast<double>(available)) + " is available; choose a smaller value");
}

void refuse_empty_values(const CLI::App& cmd, std::initializer_list<const char*> flags) {
  for (const char* flag : flags) {
    const CLI::Option* opt = cmd.get_option(flag);
    for (const std::string& value : opt->results())
      if (value.empty()) throw UsageError(std::string(flag) + ": an empty value; give a value or leave the flag out");
  }
}

void require_writable_file(const std::string& path, const std::string& flag) {
  namespace fs = std::filesystem;
  if (path.empty()) throw UsageError(flag + ": needs a file name");
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw UsageError(flag + ": '" + path + "' is a directory; give a file name");
  const fs::path file(path);
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw UsageError(flag + ": directory '" + dir.string() + "' does not exist (cannot write '" + path + "')");
  const std::string probe = path + ".probe." + std::to_string(::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw UsageError(flag + ": cannot write '" + path + "': " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

bool progress_enabled() { return isatty(STDERR_FILENO) != 0; }

int default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::string example_footer(std::string_view example) { return "\nExample:\n  " + std::string(example) + "\n"; }

}  // namespace copyproof::cli
