#pragma once
// Theorem 2.7 and Corollary 2.8 (docs/ssm_bounds.md): a model whose state takes |S|
// values copies at most |S| of the D^L strings of length L, so under the uniform
// distribution err > 1 - |S| / D^L. And the inverse questions: the longest L at which
// err <= eps is still possible for a given state, and the fewest state bits for L.

#include <optional>
#include <string>

#include "copyproof/ssm_bounds/exact_numbers.hpp"
#include "copyproof/ssm_bounds/log2_number.hpp"
#include "copyproof/ssm_bounds/state_size.hpp"

namespace copyproof::ssm_bounds {

struct CopyErrorBound {
  Log2Number log2_ratio;                    // log2 |S| - L log2 D = log2(|S| / D^L)
  bool vacuous = false;                     // |S| >= D^L: the bound says nothing (reported as 0)
  bool exceeds_half = false;                // 1 - |S|/D^L >= 1/2, hence err > 1/2
  bool corollary_2_8 = false;               // the corollary's hypothesis mem(S) < L log2 D - 1
  std::optional<cpp_rational> exact_value;  // max(0, 1 - |S|/D^L) when rational and small
  std::string exact_form;                   // "127/128", "1 - 2^-999000000", "1 - 2^10 / 3^100", "0"
  std::string decimal;                      // the bound, kBoundDigits digits, rounded down
  std::string copyable_fraction;            // min(1, |S| / D^L), kBoundDigits digits, rounded up
};

// Theorem 2.7 for alphabet D >= 2 and length L >= 1.
CopyErrorBound copy_error_lower_bound(const StateSize& states, int alphabet, const cpp_int& length);

// Largest L >= 0 with 1 - |S|/D^L < eps: beyond it every model with this state errs
// with probability > eps (Theorem 2.7 is strict, so equality already rules L out).
cpp_int max_copy_length(const StateSize& states, int alphabet, const cpp_rational& epsilon);

// Fewest whole bits B >= 0 such that |S| = 2^B allows err <= eps at length L:
// B > L log2 D + log2(1 - eps), i.e. B = max(0, floor(L log2 D + log2(1 - eps)) + 1).
cpp_int min_state_bits(int alphabet, const cpp_int& length, const cpp_rational& epsilon);

}  // namespace copyproof::ssm_bounds
