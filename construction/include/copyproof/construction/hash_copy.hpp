#pragma once
// The reference hash-copy algorithm in plain C++ (no transformer): what the copy
// transformer computes, with hard attention. At position t the "cut n-gram" ending at t
// is (s_t, s_{t-1}, ..., s_{t-n+1}) with every symbol at or beyond the nearest separator
// replaced by CUT. It is looked up among the cut n-grams ending at j - 1 for the keys
// 1 <= j <= t; if exactly one matches, the prediction is the token at j (EOS for a separator).

#include <cstdint>
#include <span>
#include <vector>

#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

struct ReferencePrediction {
  std::int64_t matches = 0;          // keys j in [1, t] whose n-gram equals the query's
  std::int64_t match_position = -1;  // j, when matches == 1
  Token token = -1;                  // token at j (EOS for a separator), when matches == 1
};

// How n-grams are indexed. packed: each cut n-gram as one 64-bit key, sorted in parallel
// (needs n ceil(log2 D) + ceil(log2(n + 1)) <= 64 bits; what the GPU-scale checks use);
// hashed: a hash map of n-grams of any size. automatic: packed when it fits.
enum class NgramIndex { automatic, packed, hashed };

// One prediction per position in `output_positions` (ascending) of `sequence`.
std::vector<ReferencePrediction> reference_predictions(const Vocabulary& vocab, int ngram,
                                                       std::span<const Token> sequence,
                                                       std::span<const std::int64_t> output_positions,
                                                       NgramIndex index = NgramIndex::automatic);

// True when x has a repeated n-gram: two start positions i != j with equal x[i..i+n-1].
bool has_repeated_ngram(std::span<const Token> x, int ngram, NgramIndex index = NgramIndex::automatic);

// Whether cut n-grams over D letters pack into 64 bits.
bool ngrams_pack(int alphabet, int ngram);

}  // namespace copyproof::construction
