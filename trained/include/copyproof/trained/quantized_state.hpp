#pragma once
// A fixed-state model's state quantized at the copy token: the state after "BOS x" has
// every number rounded to a uniform grid of 2^bits levels over [-r, r], then SEP is read and
// the answer decoded greedily from the quantized state. With r fixed for all strings of a
// length, the state takes at most 2^(bits N) values (N state numbers), so Theorem 2.7
// applies at bits x N bits: this is how the study measures the fewest bits per number a
// trained model needs to keep copying. The pigeonhole check (pigeonhole.hpp) uses the same
// grid.

#include <copyproof/trained/network.hpp>
#include <copyproof/trained/tasks.hpp>

#include <cstdint>

namespace copyproof::trained {

// The grid: 2^bits levels, evenly spaced over [-range, range] (both ends included).
struct StateGrid {
  int bits = 8;
  double range = 1;
  double levels() const;  // 2^bits - 1 steps
  // The grid level of x (x outside [-range, range] goes to the nearest end) and its value.
  std::uint32_t level_of(double x) const;
  double value_of(std::uint32_t level) const;
};

inline constexpr int kMaxQuantizedBits = 16;

struct QuantizedEval {
  int length = 0, bits = 0, samples = 0;
  double range = 0;  // r: the largest |state number| over the samples before SEP
  double string_accuracy = 0, token_accuracy = 0;
  std::int64_t copied = 0;           // samples copied exactly (x and EOS)
  std::int64_t distinct_states = 0;  // distinct quantized states among the samples
  bool holds = false;                // copied strings (distinct) <= distinct states: Theorem 2.7's count on the sample
};

// Copy task, `samples` strings of `length` letters: the same strings as evaluate() with the
// same seed and alphabet (Rng::stream(seed, (length << 32) + i), the first `alphabet`
// letters). Throws std::invalid_argument for a transformer (no fixed state), bits outside
// [1, kMaxQuantizedBits] or an alphabet outside [kMinAlphabet, kMaxAlphabet]. One thread.
QuantizedEval evaluate_quantized_copy(const Network<float>& net, const float* params, int length, int bits, int samples,
                                      std::uint64_t seed, int alphabet = kDefaultAlphabet);

}  // namespace copyproof::trained
