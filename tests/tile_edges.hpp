#pragma once
// Lengths around tile edges, built from the kernels' public constants (attention.hpp,
// bitplane_attention.hpp, exact_copy_forward.hpp, gpu/level_attention_lanes.hpp), so that a
// tile size changed for speed moves the edge tests with it: around({a, b}) is every
// e - 1, e, e + 1 for e in {a, b} that is >= 1, sorted, without repeats.

#include <cstdint>
#include <initializer_list>
#include <set>
#include <vector>

namespace copyproof::testing {

inline std::vector<std::int64_t> around(std::initializer_list<std::int64_t> edges) {
  std::set<std::int64_t> out;
  for (const std::int64_t e : edges)
    for (const std::int64_t d : {-1, 0, 1})
      if (e + d >= 1) out.insert(e + d);
  return {out.begin(), out.end()};
}

}  // namespace copyproof::testing
