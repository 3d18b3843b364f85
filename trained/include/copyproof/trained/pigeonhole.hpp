#pragma once
// Theorem 2.7's argument on a real model: once the copy token is read, everything a
// fixed-state model writes is a function of its state. Enumerate all 26^L strings of
// length L, read "BOS x", quantize the state (every number to `bits` bits on a uniform grid
// over [-r, r], r the largest |number| over the enumeration), then read SEP and decode
// greedily from the quantized state. Strings copied <= distinct quantized states must hold;
// two different strings with the same quantized state get the same answer, so at least
// one of them is miscopied (the collision witness).

#include <copyproof/trained/network.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace copyproof::trained {

struct PigeonholeWitness {
  std::vector<int> a, b;                // two different strings (letters 0..25)
  std::vector<int> answer_a, answer_b;  // what the model wrote for each (x EOS expected)
  bool a_copied = false, b_copied = false;
};

struct PigeonholeResult {
  int length = 0, bits = 0;
  long long state_numbers = 0;
  double range = 0;                          // r: the grid covers [-r, r]
  std::int64_t strings = 0;                  // 26^L
  std::int64_t distinct_states = 0;          // quantized states reached before SEP
  std::int64_t copied = 0;                   // strings written back exactly (with EOS)
  bool holds = false;                        // copied <= distinct_states
  std::optional<PigeonholeWitness> witness;  // when strings > distinct_states
};

// The largest L enumerated (26^L strings).
inline constexpr int kPigeonholeMaxLength = 4;

// Throws std::invalid_argument for a transformer (its state is not fixed), length outside
// [1, kPigeonholeMaxLength] or bits outside [1, 16].
PigeonholeResult pigeonhole_check(const Network<float>& net, const float* params, int length, int bits);

}  // namespace copyproof::trained
