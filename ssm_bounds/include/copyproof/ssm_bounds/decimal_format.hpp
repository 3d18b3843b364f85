#pragma once
// Decimal text for bounds, rounded in the direction that keeps them bounds: a lower
// bound is rounded down, an upper bound up. Never to nearest: 1 - 2^-999000000 must read
// 0.999...9 (all nines), not 1, and a tiny positive gap must never read 0.

#include <string>

#include "copyproof/ssm_bounds/exact_numbers.hpp"
#include "copyproof/ssm_bounds/log2_number.hpp"

namespace copyproof::ssm_bounds {

enum class Rounding { down, up };

// Significant digits every bound is printed with (the CLI promises at least 30).
inline constexpr int kBoundDigits = 40;

// q >= 0 to `digits` significant digits, rounded as asked; exact values print without
// trailing zeros ("0.9921875"). Plain notation for 1e-10 <= q < 1e21, else "d.ddde-N".
std::string format_rational(const cpp_rational& q, int digits, Rounding rounding);

// 2^x to `digits` significant digits, for any magnitude of x (2^-1.6e19 included).
std::string format_power_of_two(const Log2Number& x, int digits, Rounding rounding);

// 1 - 2^x for x < 0 (a value in (0, 1)), to `digits` significant digits.
std::string format_one_minus_power_of_two(const Log2Number& x, int digits, Rounding rounding);

// A Log2Number for reports: its exact rational when it is one, else 40 digits (nearest).
std::string format_log2(const Log2Number& x);

}  // namespace copyproof::ssm_bounds
