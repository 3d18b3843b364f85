#pragma once
// A JSON number read as an integer only when it is one that fits. nlohmann's get<T>()
// converts a double (what a digit string too long for 64 bits parses to: 7.8e25) by a
// float-to-int conversion, undefined behaviour out of range, and an unsigned value above
// T's maximum by wrapping (2^64 - 1 becomes -1). Every reader of outside JSON that wants
// an integer asks here first (the fuzz campaign found both in the safetensors readers).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <optional>

namespace copyproof {

template <typename T>
std::optional<T> json_integer(const nlohmann::json& v) {
  if (!v.is_number_integer()) return std::nullopt;  // floats, even whole ones, are refused
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return std::nullopt;
    return static_cast<T>(u);
  }
  const auto s = v.get<std::int64_t>();
  if constexpr (std::numeric_limits<T>::is_signed) {
    if (s < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
        s > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
      return std::nullopt;
  } else {
    if (s < 0) return std::nullopt;
  }
  return static_cast<T>(s);
}

}  // namespace copyproof
