#include "copyproof/construction/string_sources.hpp"

#include <algorithm>
#include <stdexcept>

#include "copyproof/common/random.hpp"

namespace copyproof::construction {

std::string to_string(SourceKind kind) {
  switch (kind) {
    case SourceKind::uniform: return "uniform";
    case SourceKind::debruijn: return "debruijn";
    case SourceKind::planted: return "planted";
    case SourceKind::exhaustive: return "exhaustive";
  }
  return "?";
}

std::optional<SourceKind> parse_source_kind(std::string_view name) {
  for (SourceKind kind : {SourceKind::uniform, SourceKind::debruijn, SourceKind::planted, SourceKind::exhaustive})
    if (to_string(kind) == name) return kind;
  return std::nullopt;
}

std::int64_t power_or_minus_one(std::int64_t base, std::int64_t exponent, std::int64_t cap) {
  std::int64_t value = 1;
  for (std::int64_t i = 0; i < exponent; ++i) {
    if (value > cap / base) return -1;
    value *= base;
  }
  return value <= cap ? value : -1;
}

std::vector<Token> debruijn_cycle(int alphabet, int ngram) {
  // Lyndon words in lexicographic order (Duval's successor rule): increment the last
  // symbol, extend periodically to length n, drop trailing maximal symbols.
  std::vector<Token> cycle;
  std::vector<Token> word{-1};
  while (!word.empty()) {
    ++word.back();
    const std::size_t m = word.size();
    if (ngram % static_cast<int>(m) == 0) cycle.insert(cycle.end(), word.begin(), word.end());
    while (word.size() < static_cast<std::size_t>(ngram)) word.push_back(word[word.size() - m]);
    while (!word.empty() && word.back() == alphabet - 1) word.pop_back();
  }
  return cycle;
}

namespace {

std::vector<Token> uniform_string(int alphabet, std::int64_t length, Rng& rng) {
  std::vector<Token> x(static_cast<std::size_t>(length));
  for (auto& t : x) t = static_cast<Token>(rng.below(static_cast<std::uint64_t>(alphabet)));
  return x;
}

class UniformSource : public StringSource {
 public:
  UniformSource(int alphabet, std::int64_t length, std::int64_t samples, std::uint64_t seed)
      : alphabet_(alphabet), length_(length), samples_(samples), seed_(seed) {}
  std::int64_t count() const override { return samples_; }
  std::int64_t length() const override { return length_; }
  std::vector<Token> string(std::int64_t index) const override {
    Rng rng = Rng::stream(seed_, static_cast<std::uint64_t>(index));
    return uniform_string(alphabet_, length_, rng);
  }

 private:
  int alphabet_;
  std::int64_t length_, samples_;
  std::uint64_t seed_;
};

class DebruijnSource : public StringSource {
 public:
  DebruijnSource(int alphabet, int ngram, std::int64_t samples, std::uint64_t seed)
      : cycle_(debruijn_cycle(alphabet, ngram)), ngram_(ngram), samples_(samples), seed_(seed) {}
  std::int64_t count() const override { return samples_; }
  std::int64_t length() const override { return static_cast<std::int64_t>(cycle_.size()) + ngram_ - 1; }
  std::vector<Token> string(std::int64_t index) const override {
    const auto period = static_cast<std::int64_t>(cycle_.size());
    std::int64_t shift = 0;
    if (index > 0)
      shift = static_cast<std::int64_t>(
          Rng::stream(seed_, static_cast<std::uint64_t>(index)).below(static_cast<std::uint64_t>(period)));
    std::vector<Token> x(static_cast<std::size_t>(length()));
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = cycle_[static_cast<std::size_t>((shift + static_cast<std::int64_t>(i)) % period)];
    return x;
  }

 private:
  std::vector<Token> cycle_;
  int ngram_;
  std::int64_t samples_;
  std::uint64_t seed_;
};

class PlantedSource : public StringSource {
 public:
  PlantedSource(int alphabet, int ngram, std::int64_t length, std::int64_t samples, std::uint64_t seed)
      : alphabet_(alphabet), ngram_(ngram), length_(length), samples_(samples), seed_(seed) {
    if (length < ngram + 1) throw std::invalid_argument("planted: length must be >= n + 1 for two start positions");
  }
  std::int64_t count() const override { return samples_; }
  std::int64_t length() const override { return length_; }
  std::vector<Token> string(std::int64_t index) const override {
    Rng rng = Rng::stream(seed_, static_cast<std::uint64_t>(index));
    std::vector<Token> x = uniform_string(alphabet_, length_, rng);
    const auto starts = static_cast<std::uint64_t>(length_ - ngram_ + 1);
    auto i = static_cast<std::int64_t>(rng.below(starts));
    auto j = static_cast<std::int64_t>(rng.below(starts - 1));
    if (j >= i) ++j;  // uniform over j != i
    if (i > j) std::swap(i, j);
    for (std::int64_t r = 0; r < ngram_; ++r) x[static_cast<std::size_t>(j + r)] = x[static_cast<std::size_t>(i + r)];
    return x;
  }

 private:
  int alphabet_, ngram_;
  std::int64_t length_, samples_;
  std::uint64_t seed_;
};

class ExhaustiveSource : public StringSource {
 public:
  ExhaustiveSource(int alphabet, std::int64_t length, std::int64_t count)
      : alphabet_(alphabet), length_(length), count_(count) {}
  std::int64_t count() const override { return count_; }
  std::int64_t length() const override { return length_; }
  std::vector<Token> string(std::int64_t index) const override {
    std::vector<Token> x(static_cast<std::size_t>(length_));
    for (std::int64_t p = length_ - 1; p >= 0; --p) {
      x[static_cast<std::size_t>(p)] = static_cast<Token>(index % alphabet_);
      index /= alphabet_;
    }
    return x;
  }

 private:
  int alphabet_;
  std::int64_t length_, count_;
};

}  // namespace

std::unique_ptr<StringSource> uniform_source(int alphabet, std::int64_t length, std::int64_t samples,
                                             std::uint64_t seed) {
  return std::make_unique<UniformSource>(alphabet, length, samples, seed);
}

std::unique_ptr<StringSource> debruijn_source(int alphabet, int ngram, std::int64_t samples, std::uint64_t seed) {
  return std::make_unique<DebruijnSource>(alphabet, ngram, samples, seed);
}

std::unique_ptr<StringSource> planted_source(int alphabet, int ngram, std::int64_t length, std::int64_t samples,
                                             std::uint64_t seed) {
  return std::make_unique<PlantedSource>(alphabet, ngram, length, samples, seed);
}

std::unique_ptr<StringSource> exhaustive_source(int alphabet, std::int64_t length) {
  const std::int64_t count = power_or_minus_one(alphabet, length, std::int64_t{1} << 40);
  if (count < 0) throw std::invalid_argument("exhaustive: D^L too large to enumerate");
  return std::make_unique<ExhaustiveSource>(alphabet, length, count);
}

}  // namespace copyproof::construction
