#include "copyproof/ssm_bounds/ngram_repeat_detector.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace copyproof::ssm_bounds {

NgramRepeatDetector::NgramRepeatDetector(int alphabet, int ngram, std::int64_t max_length) : n_(ngram) {
  if (alphabet < 2 || alphabet > 65536 || ngram < 1 || max_length < 1 || max_length > (std::int64_t{1} << 32))
    throw std::invalid_argument("NgramRepeatDetector: need 2 <= D <= 65536, n >= 1, 1 <= L <= 2^32");
  const int bits = std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned>(alphabet - 1))));
  packed_ = static_cast<long long>(bits) * ngram <= 64;
  multiplier_ = packed_ ? std::uint64_t{1} << bits : 0x9E3779B97F4A7C15ULL;  // odd: a bijection mod 2^64
  mask_ = !packed_ || bits * ngram == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << (bits * ngram)) - 1;
  for (int i = 0; i < ngram; ++i) drop_ *= multiplier_;  // multiplier^n removes the letter leaving the window
  letters_.resize(static_cast<std::size_t>(max_length));
  std::uint64_t size = 16;
  while (size < 2 * static_cast<std::uint64_t>(max_length)) size *= 2;
  slots_.resize(size);
  shift_ = 64 - std::countr_zero(size);
}

void NgramRepeatDetector::reset() {
  key_ = 0;
  length_ = 0;
  if (++stamp_ == 0) {  // wrapped after 2^32 strings: really clear once
    for (auto& s : slots_) s.stamp = 0;
    stamp_ = 1;
  }
}

bool NgramRepeatDetector::push(std::uint16_t letter) {
  if (length_ >= static_cast<std::int64_t>(letters_.size()))
    throw std::length_error("NgramRepeatDetector: string too long");
  const std::int64_t i = length_++;
  letters_[static_cast<std::size_t>(i)] = letter;
  const std::uint64_t leaving = !packed_ && i >= n_ ? letters_[static_cast<std::size_t>(i - n_)] : 0;
  key_ = (key_ * multiplier_ + letter - leaving * drop_) & mask_;
  return i + 1 >= n_ && insert_finds_repeat(key_, static_cast<std::uint32_t>(i + 1 - n_));
}

bool NgramRepeatDetector::insert_finds_repeat(std::uint64_t key, std::uint32_t start) {
  std::uint64_t index = (key * 0x9E3779B97F4A7C15ULL) >> shift_;
  const std::uint64_t mask = slots_.size() - 1;
  const auto begin = letters_.begin();
  while (slots_[index].stamp == stamp_) {
    const Slot& s = slots_[index];
    if (s.key == key && (packed_ || std::equal(begin + s.start, begin + s.start + n_, begin + start))) return true;
    index = (index + 1) & mask;
  }
  slots_[index] = Slot{key, start, stamp_};
  return false;
}

}  // namespace copyproof::ssm_bounds
