#include "copyproof/ssm_bounds/state_size.hpp"

#include <stdexcept>

namespace copyproof::ssm_bounds {
StateSize state_of_bits(const cpp_rational& bits) {
  if (bits < 0) throw std::invalid_argument("state bits must be >= 0");
  StateSize s;
  s.log2_states = Log2Number::rational(bits);
  const bool whole = boost::multiprecision::denominator(bits) == 1;
  // 2^bits has its highest bit at `bits`: written_out_exactly's rule, tested before computing it.
  if (whole && bits <= kExactWriteOutBits) s.count = power(cpp_int(2), to_uint64(floor_of(bits)));
  s.text = whole ? "2^" + to_string(bits) : "2^(" + to_string(bits) + ")";
  return s;
}

StateSize state_of_count(const cpp_int& count) {
  if (count < 1) throw std::invalid_argument("a state space has at least one state");
  StateSize s;
  s.log2_states = Log2Number::log2_of(count);
  if (written_out_exactly(count)) s.count = count;
  s.text = count.str();
  return s;
}

StateSize state_of_numbers(const cpp_int& numbers, int bits_per_number) {
  if (numbers < 0 || bits_per_number < 1) throw std::invalid_argument("numbers >= 0 and bits per number >= 1");
  return state_of_bits(cpp_rational(numbers * bits_per_number));
}

}  // namespace copyproof::ssm_bounds
