#pragma once
// JSON for exact integers: a JSON number while it fits in 64 bits (what scripts expect),
// its decimal string beyond (KV caches at L = 1e18 reach 1e23); docs/cli.md says so.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

#include "copyproof/ssm_bounds/exact_numbers.hpp"

namespace copyproof::ssm_bounds {

inline nlohmann::json json_integer(const cpp_int& n) {
  if (n >= 0 && n <= std::numeric_limits<std::uint64_t>::max()) return static_cast<std::uint64_t>(n);
  if (n < 0 && n >= std::numeric_limits<std::int64_t>::min()) return static_cast<std::int64_t>(n);
  return n.str();
}

}  // namespace copyproof::ssm_bounds
