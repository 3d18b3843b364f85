#pragma once
// Finds the first repeated n-gram of a string fed one letter at a time (Monte Carlo
// stops there). When n letters pack into 64 bits the key is the packed n-gram itself
// (injective); otherwise a polynomial hash, and equal keys are confirmed by comparing
// letters, so a reported repeat is always a real one.

#include <cstdint>
#include <vector>

namespace copyproof::ssm_bounds {

class NgramRepeatDetector {
 public:
  // Strings up to `max_length` letters over an alphabet of at most 65536 letters.
  NgramRepeatDetector(int alphabet, int ngram, std::int64_t max_length);

  void reset();                     // start a new string
  bool push(std::uint16_t letter);  // true once the string so far has a repeated n-gram
  bool packs_into_64_bits() const { return packed_; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t start = 0;
    std::uint32_t stamp = 0;  // slots of older strings count as empty
  };
  bool insert_finds_repeat(std::uint64_t key, std::uint32_t start);

  int n_;
  bool packed_ = true;
  std::uint64_t multiplier_ = 2, mask_ = 0, drop_ = 1, key_ = 0;
  std::vector<std::uint16_t> letters_;
  std::int64_t length_ = 0;
  std::vector<Slot> slots_;
  int shift_ = 60;
  std::uint32_t stamp_ = 0;
};

}  // namespace copyproof::ssm_bounds
