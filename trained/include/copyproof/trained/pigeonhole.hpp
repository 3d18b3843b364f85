#pragma once
// Theorem 2.7's argument on a real model: once the copy token is read, everything a
// fixed-state model writes is a function of its state. Enumerate all D^L strings of
// length L over the first D letters, read "BOS x", quantize the state (every number to `bits` bits on a uniform grid
// over [-r, r], r the largest |number| over the enumeration), then read SEP and decode
// greedily from the quantized state. Strings copied <= distinct quantized states must hold;
// two different strings with the same quantized state get the same answer, so at least
// one of them is miscopied (the collision witness).

#include <copyproof/trained/network.hpp>
#include <copyproof/trained/tasks.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace copyproof::trained {

struct PigeonholeWitness {
  std::vector<int> a, b;                // two different strings (letters 0..D-1)
  std::vector<int> answer_a, answer_b;  // what the model wrote for each (x EOS expected)
  bool a_copied = false, b_copied = false;
};

struct PigeonholeResult {
  int length = 0, bits = 0, alphabet = kDefaultAlphabet;
  long long state_numbers = 0;
  double range = 0;                          // r: the grid covers [-r, r]
  std::int64_t strings = 0;                  // D^L
  std::int64_t distinct_states = 0;          // quantized states reached before SEP
  std::int64_t copied = 0;                   // strings written back exactly (with EOS)
  bool holds = false;                        // copied <= distinct_states
  std::optional<PigeonholeWitness> witness;  // when strings > distinct_states
};

// The most strings enumerated: 26^4 (all strings of 4 letters, the longest length of the
// 26-letter check; every state is held until r is known, so memory grows with it).
inline constexpr std::int64_t kPigeonholeMaxStrings = 26LL * 26 * 26 * 26;
// The longest L with D^L <= kPigeonholeMaxStrings (4 for D = 26, 18 for D = 2).
int pigeonhole_max_length(int alphabet);
// D^L (callers keep L <= pigeonhole_max_length(D), so it fits).
std::int64_t pigeonhole_strings(int alphabet, int length);
// String number `index` (0 <= index < D^L) of the enumeration: index written in base D,
// most significant letter first (letter 0 = 'a').
std::vector<int> pigeonhole_string(std::int64_t index, int length, int alphabet);

// Throws std::invalid_argument for a transformer (its state is not fixed), an alphabet
// outside [kMinAlphabet, kMaxAlphabet], length outside [1, pigeonhole_max_length(alphabet)]
// or bits outside [1, 16].
PigeonholeResult pigeonhole_check(const Network<float>& net, const float* params, int length, int bits,
                                  int alphabet = kDefaultAlphabet);

}  // namespace copyproof::trained
