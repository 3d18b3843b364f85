// Monte Carlo estimate of p_ngram with a Wilson 95% interval.

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "copyproof/common/random.hpp"
#include "copyproof/ssm_bounds/ngram_probability.hpp"

namespace copyproof::ssm_bounds {
namespace {

// Keys of the n-grams of one string as it is generated. When n letters pack into 64 bits
// the key is the packed n-gram itself (injective); otherwise a polynomial hash, and equal
// keys are confirmed by comparing letters, so a reported repeat is always a real one.
class NgramKeys {
 public:
  NgramKeys(int alphabet, int n) : n_(n) {
    const int bits = std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned>(alphabet - 1))));
    packed_ = static_cast<long long>(bits) * n <= 64;
    multiplier_ = packed_ ? (bits == 64 ? 0 : std::uint64_t{1} << bits) : 0x9E3779B97F4A7C15ULL;
    mask_ = !packed_ || bits * n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << (bits * n)) - 1;
    drop_ = 1;  // multiplier^n: removes the letter that leaves the window
    for (int i = 0; i < n; ++i) drop_ *= multiplier_;
  }
  void reset() { key_ = 0; }
  // Appends `letter`; `leaving` is the letter n positions back (0 before the window fills).
  std::uint64_t push(std::uint64_t letter, std::uint64_t leaving) {
    key_ = (key_ * multiplier_ + letter - (packed_ ? 0 : leaving * drop_)) & mask_;
    return key_;
  }
  bool packed() const { return packed_; }
  int n() const { return n_; }

 private:
  int n_;
  bool packed_ = true;
  std::uint64_t multiplier_ = 2, mask_ = 0, drop_ = 1, key_ = 0;
};

// Open-addressing set of (key, start position); a stamp per slot empties it per sample
// without clearing.
class NgramTable {
 public:
  explicit NgramTable(std::uint64_t entries) {
    std::uint64_t size = 16;
    while (size < 2 * entries) size *= 2;
    slots_.resize(size);
    shift_ = 64 - std::countr_zero(size);
  }
  void next_string() {
    if (++stamp_ == 0) {  // wrapped: really clear once every 2^32 strings
      for (auto& s : slots_) s.stamp = 0;
      stamp_ = 1;
    }
  }
  // Inserts the n-gram starting at `start`; true if an equal one is already there.
  bool insert_finds_repeat(std::uint64_t key, std::uint32_t start, const std::vector<std::uint16_t>& letters,
                           const NgramKeys& keys) {
    std::uint64_t index = (key * 0x9E3779B97F4A7C15ULL) >> shift_;
    const std::uint64_t mask = slots_.size() - 1;
    while (slots_[index].stamp == stamp_) {
      const Slot& s = slots_[index];
      if (s.key == key && (keys.packed() || std::equal(letters.begin() + s.start, letters.begin() + s.start + keys.n(),
                                                       letters.begin() + start)))
        return true;
      index = (index + 1) & mask;
    }
    slots_[index] = Slot{key, start, stamp_};
    return false;
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t start = 0;
    std::uint32_t stamp = 0;
  };
  std::vector<Slot> slots_;
  int shift_ = 60;
  std::uint32_t stamp_ = 0;
};

bool sample_has_repeat(const NgramQuery& q, Rng rng, std::vector<std::uint16_t>& letters, NgramKeys& keys,
                       NgramTable& table) {
  keys.reset();
  table.next_string();
  const auto n = static_cast<std::int64_t>(q.ngram);
  for (std::int64_t i = 0; i < q.length; ++i) {
    letters[static_cast<std::size_t>(i)] = static_cast<std::uint16_t>(rng.below(static_cast<std::uint64_t>(q.alphabet)));
    const std::uint64_t leaving = i >= n ? letters[static_cast<std::size_t>(i - n)] : 0;
    const std::uint64_t key = keys.push(letters[static_cast<std::size_t>(i)], leaving);
    if (i + 1 >= n && table.insert_finds_repeat(key, static_cast<std::uint32_t>(i + 1 - n), letters, keys)) return true;
  }
  return false;
}

}  // namespace

std::pair<double, double> wilson_interval_95(std::uint64_t hits, std::uint64_t samples) {
  if (samples == 0) throw std::invalid_argument("Wilson interval needs samples > 0");
  const double z = boost::math::quantile(boost::math::normal_distribution<double>(), 0.975);
  const double n = static_cast<double>(samples);
  const double p = static_cast<double>(hits) / n;
  const double z2 = z * z;
  const double center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

NgramEstimate estimate_ngram_probability(const NgramQuery& q, std::uint64_t samples, std::uint64_t seed, int threads,
                                         const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  if (q.alphabet < 2 || q.alphabet > 65536 || q.ngram < 1 || q.length < 1 || samples == 0)
    throw std::invalid_argument("need 2 <= D <= 65536, n >= 1, L >= 1, samples >= 1");
  if (q.length > std::int64_t{1} << 32) throw std::invalid_argument("Monte Carlo needs L <= 2^32");
  constexpr std::uint64_t kBlock = 1024;  // samples between progress reports
  std::uint64_t hits = 0;
  const std::uint64_t entries = static_cast<std::uint64_t>(std::max<std::int64_t>(1, q.length - q.ngram + 1));
  for (std::uint64_t first = 0; first < samples; first += kBlock) {
    const auto last = static_cast<std::int64_t>(std::min(samples, first + kBlock));
    std::uint64_t block_hits = 0;
#pragma omp parallel num_threads(threads) reduction(+ : block_hits)
    {
      std::vector<std::uint16_t> letters(static_cast<std::size_t>(q.length));
      NgramKeys keys(q.alphabet, q.ngram);
      NgramTable table(entries);
#pragma omp for schedule(static)
      for (std::int64_t i = static_cast<std::int64_t>(first); i < last; ++i)
        if (sample_has_repeat(q, Rng::stream(seed, static_cast<std::uint64_t>(i)), letters, keys, table)) ++block_hits;
    }
    hits += block_hits;
    if (progress) progress(static_cast<std::uint64_t>(last), samples);
  }
  NgramEstimate estimate;
  estimate.samples = samples;
  estimate.hits = hits;
  estimate.seed = seed;
  estimate.probability = static_cast<double>(hits) / static_cast<double>(samples);
  std::tie(estimate.ci_low, estimate.ci_high) = wilson_interval_95(hits, samples);
  return estimate;
}

}  // namespace copyproof::ssm_bounds
