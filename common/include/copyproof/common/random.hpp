#pragma once
// Seeded randomness that gives the same numbers on every machine and compiler.
// The standard distributions (std::uniform_int_distribution, ...) are
// implementation-defined, so "same --seed, same strings" needs our own mapping
// from raw 64-bit words to values. Generator: xoshiro256** seeded by splitmix64
// (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021).

#include <cmath>
#include <cstdint>
#include <limits>

namespace copyproof {

__extension__ typedef unsigned __int128 uint128_t;  // __extension__: GCC/Clang builtin, quiet under -Wpedantic

class Rng {
 public:
  using result_type = std::uint64_t;

  explicit Rng(std::uint64_t seed) {
    for (auto& word : state_) word = splitmix64(seed);
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform integer in [0, bound), bound >= 1, without modulo bias
  // (Lemire, "Fast random integer generation in an interval", 2019).
  std::uint64_t below(std::uint64_t bound) {
    uint128_t product = static_cast<uint128_t>((*this)()) * bound;
    auto low = static_cast<std::uint64_t>(product);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        product = static_cast<uint128_t>((*this)()) * bound;
        low = static_cast<std::uint64_t>(product);
      }
    }
    return static_cast<std::uint64_t>(product >> 64);
  }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  // Standard normal by Box-Muller (deterministic given the stream; no cached spare).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586476925 * u2);
  }

  // An independent stream for item `index` of a run seeded with `seed`
  // (sample i of `verify`, worker t of a trainer): results do not depend on
  // how work is split across threads.
  static Rng stream(std::uint64_t seed, std::uint64_t index) {
    std::uint64_t mix = seed ^ (0x9E3779B97F4A7C15ULL * (index + 1));
    return Rng(splitmix64(mix));
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  std::uint64_t state_[4];
};

}  // namespace copyproof
