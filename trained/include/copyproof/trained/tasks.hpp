#pragma once
// The synthetic tasks of the paper's experiments (theory.md, "Experiments"), in the
// formats of its code (sjelassi/transformers_ssm_copy, synthetic_exps/data_utils.py):
//   copy    BOS x SEP x EOS                  x: letters, length uniform in [min, max]
//   dup     BOS x SEP x EOS                  x has one n-gram written over another n-gram
//   prefix  BOS key SEP x SEP answer EOS     key: an n-gram occurring once in x
//   suffix  BOS x SEP key answer EOS         answer: the rest of x after the key
// Loss and accuracy count only the answer tokens (everything after the prompt, EOS included).

#include <copyproof/common/random.hpp>
#include <copyproof/trained/network.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace copyproof::trained {

inline constexpr int kLetters = 26;
inline constexpr int kBos = 26;
inline constexpr int kSep = 27;  // the paper's `|` token (construction/'s CUT is a code symbol, not this)
inline constexpr int kEos = 28;
inline constexpr int kVocab = 29;

enum class Task { copy, dup, prefix, suffix };
std::string to_string(Task task);
bool parse_task(const std::string& text, Task& out);

struct Example {
  std::vector<int> tokens;  // prompt then answer
  int prompt = 0;           // tokens[0, prompt) are given; the rest is the answer
};

// The shortest string length the task can be generated for with n-gram size n
// ("" problem otherwise): dup needs two disjoint n-grams, prefix/suffix an n-gram with
// at least one token after it.
int min_string_length(Task task, int ngram);

// One example with a string of exactly `length` letters. Throws std::runtime_error when no
// string with a unique key is found in 1000 draws (prefix/suffix, tiny lengths only).
Example make_example(Task task, int length, int ngram, Rng& rng);

// B examples with lengths uniform in [min_length, max_length], example i drawn from
// Rng::stream(seed, first_index + i): the same batch whatever the thread count.
// Sequences are padded with EOS to the longest; padding is never scored.
TokenBatch make_batch(Task task, int B, int min_length, int max_length, int ngram, std::uint64_t seed,
                      std::uint64_t first_index);

// The batch of rows [first, first + count) of `batch` (a micro-batch; same T).
TokenBatch slice_batch(const TokenBatch& batch, int first, int count);

}  // namespace copyproof::trained
