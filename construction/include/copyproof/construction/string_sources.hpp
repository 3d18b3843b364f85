#pragma once
// Where the strings a check copies come from. Every source is indexable: string i is a
// pure function of (seed, i), so runs split over threads give the same strings, and the
// same --seed gives the same strings on every machine.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

enum class SourceKind { uniform, debruijn, planted, exhaustive };

std::string to_string(SourceKind kind);
std::optional<SourceKind> parse_source_kind(std::string_view name);

class StringSource {
 public:
  virtual ~StringSource() = default;
  virtual std::int64_t count() const = 0;
  virtual std::int64_t length() const = 0;
  virtual std::vector<Token> string(std::int64_t index) const = 0;
};

// Uniform over [D]^L, string i drawn from its own seeded stream.
std::unique_ptr<StringSource> uniform_source(int alphabet, std::int64_t length, std::int64_t samples,
                                             std::uint64_t seed);

// Linear de Bruijn sequences B(D, n) of length D^n + n - 1: every n-gram exactly once.
// String 0 is the lexicographically least (the FKM sequence); string i > 0 is the cyclic
// sequence rotated by a seeded offset, cut open and closed with its first n - 1 symbols.
std::unique_ptr<StringSource> debruijn_source(int alphabet, int ngram, std::int64_t samples, std::uint64_t seed);

// Uniform strings with a planted repeated n-gram: x[j..j+n-1] := x[i..i+n-1] for seeded
// i != j (copied left to right, so the repeat holds even when the two overlap). Needs L >= n + 1.
std::unique_ptr<StringSource> planted_source(int alphabet, int ngram, std::int64_t length, std::int64_t samples,
                                             std::uint64_t seed);

// All D^L strings in lexicographic order (string i = the base-D digits of i).
std::unique_ptr<StringSource> exhaustive_source(int alphabet, std::int64_t length);

// The cyclic de Bruijn sequence of order n over [D] (length D^n), lexicographically least:
// the Lyndon words of length dividing n in lexicographic order, concatenated.
std::vector<Token> debruijn_cycle(int alphabet, int ngram);

// D^L, or -1 when it exceeds `cap`.
std::int64_t power_or_minus_one(std::int64_t base, std::int64_t exponent, std::int64_t cap);

}  // namespace copyproof::construction
