#pragma once
// Greedy autoregressive evaluation: the prompt is read, then the model writes as many
// tokens as the answer has (EOS included), each fed back in (KV cache for the
// transformer, recurrent state for Mamba and the LSTM).

#include <copyproof/trained/network.hpp>
#include <copyproof/trained/tasks.hpp>

#include <cstdint>

namespace copyproof::trained {

struct EvalResult {
  int length = 0;  // string length
  int samples = 0;
  double string_accuracy = 0;   // answers written entirely right
  double token_accuracy = 0;    // answer positions written right (free-running, EOS included)
  long long state_numbers = 0;  // most numbers held about the past when writing a last answer token
};

// The greedy answer of `net` to the prompt tokens[0, prompt) of length answer_length.
std::vector<int> greedy_answer(const Network<float>& net, const float* params, const Example& example);

// `samples` fresh examples with strings of exactly `length` letters, example i drawn from
// Rng::stream(seed, (length << 32) + i), letters from the first `alphabet`; spread over
// `threads` (results do not depend on it).
EvalResult evaluate(const Network<float>& net, const float* params, Task task, int length, int ngram, int samples,
                    std::uint64_t seed, int threads, int alphabet = kDefaultAlphabet);

}  // namespace copyproof::trained
