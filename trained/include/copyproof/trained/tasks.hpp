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

inline constexpr int kLetters = 26;  // letter tokens 0..25 of the 29-token vocabulary
inline constexpr int kBos = 26;
inline constexpr int kSep = 27;  // the paper's `|` token (construction/'s CUT is a code symbol, not this)
inline constexpr int kEos = 28;
inline constexpr int kVocab = 29;

// The alphabet D: strings are drawn from the first D letters (tokens 0..D-1). The model's
// vocabulary stays kVocab whatever D is, so a checkpoint trained at one D can be evaluated at
// another. Small D lets Theorem 2.7's limit (largest L with 1 - 2^bits / D^L < 1/2) fall at
// lengths a small model can be trained on. The one definition of D's range and default:
// train's and eval's --alphabet, checkpoints and result files all check against these.
inline constexpr int kMinAlphabet = 2;  // one letter: every string of a length is the same string
inline constexpr int kMaxAlphabet = kLetters;
inline constexpr int kDefaultAlphabet = kLetters;  // also what a checkpoint or eval.json without "alphabet" means
inline constexpr bool valid_alphabet(long long d) { return d >= kMinAlphabet && d <= kMaxAlphabet; }

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

// The longest string `train` and `eval` take: every task, and the flags' upper end.
inline constexpr int kMaxStringLength = 100000;

// The longest string length the task is generated for with n-gram size n. copy and dup:
// kMaxStringLength. prefix and suffix draw uniform strings over 26 letters until one has
// an n-gram key occurring once (make_example, at most 1000 draws); past about N ln N
// letters (N = 26^n) almost no string has one (n = 1: none of 1000 at L = 734). Their
// limit N = 26^n is a sufficient condition, not the exact edge: at L <= N a uniform string
// has a key with probability >= 25/26 (L = n + 1, exactly; measured at and below N, docs/
// trained.md), so all 1000 draws fail with probability < 26^-1000.
int max_string_length(Task task, int ngram);

// One example with a string of exactly `length` letters drawn uniformly from the first
// `alphabet` letters. Throws std::runtime_error when no string with a unique key is found in
// 1000 draws (prefix/suffix, tiny lengths or alphabets only), std::invalid_argument for an
// alphabet outside [kMinAlphabet, kMaxAlphabet].
Example make_example(Task task, int length, int ngram, Rng& rng, int alphabet = kDefaultAlphabet);

// B examples with lengths uniform in [min_length, max_length], example i drawn from
// Rng::stream(seed, first_index + i): the same batch whatever the thread count.
// Sequences are padded with EOS to the longest; padding is never scored. Letters from the
// first `alphabet` (make_example).
TokenBatch make_batch(Task task, int B, int min_length, int max_length, int ngram, std::uint64_t seed,
                      std::uint64_t first_index, int alphabet = kDefaultAlphabet);

// The batch of rows [first, first + count) of `batch` (a micro-batch; same T).
TokenBatch slice_batch(const TokenBatch& batch, int first, int count);

}  // namespace copyproof::trained
