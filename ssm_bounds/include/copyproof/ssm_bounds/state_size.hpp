#pragma once
// The size of a fixed state space S, given as bits (log2|S|, fractions allowed), as an
// exact count |S|, or as N stored numbers of p bits each (|S| = 2^(N p)).

#include <optional>
#include <string>

#include "copyproof/ssm_bounds/exact_numbers.hpp"
#include "copyproof/ssm_bounds/log2_number.hpp"

namespace copyproof::ssm_bounds {

struct StateSize {
  Log2Number log2_states;        // mem(S) = log2 |S|, exact
  std::optional<cpp_int> count;  // |S| itself when it is an integer of at most kExactWriteOutBits bits
  std::string text;              // |S| as written in reports: "2^1000000", "1000"
};

StateSize state_of_bits(const cpp_rational& bits);                        // bits >= 0
StateSize state_of_count(const cpp_int& count);                           // count >= 1
StateSize state_of_numbers(const cpp_int& numbers, int bits_per_number);  // 2^(numbers * p)

}  // namespace copyproof::ssm_bounds
