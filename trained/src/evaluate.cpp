#include <copyproof/trained/evaluate.hpp>

#include <omp.h>

#include <algorithm>

#include "copyproof/common/argmax.hpp"

namespace copyproof::trained {

namespace {
// Greedy decoding's token: the lowest index among the largest logits (common/argmax.hpp).
int argmax_row(const Matrix<float>& logits, Eigen::Index row) {
  return static_cast<int>(common::argmax_lowest_index(logits.row(row)));
}
}  // namespace

std::vector<int> greedy_answer(const Network<float>& net, const float* params, const Example& example) {
  const int answer_length = static_cast<int>(example.tokens.size()) - example.prompt;
  auto state = net.new_state(static_cast<int>(example.tokens.size()));
  auto acts = net.new_activations();
  std::vector<int> answer;
  const Matrix<float>* logits = &net.forward(*acts, params, example.tokens.data(), 1, example.prompt, state.get());
  answer.push_back(argmax_row(*logits, example.prompt - 1));
  while (static_cast<int>(answer.size()) < answer_length) {
    const int token = answer.back();
    logits = &net.forward(*acts, params, &token, 1, 1, state.get());
    answer.push_back(argmax_row(*logits, 0));
  }
  return answer;
}

EvalResult evaluate(const Network<float>& net, const float* params, Task task, int length, int ngram, int samples,
                    std::uint64_t seed, int threads, int alphabet) {
  std::vector<int> string_right(static_cast<std::size_t>(samples)), tokens_right(static_cast<std::size_t>(samples)),
      tokens_total(static_cast<std::size_t>(samples));
  std::vector<long long> state_numbers(static_cast<std::size_t>(samples));
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int i = 0; i < samples; ++i) {
    Rng rng = Rng::stream(seed, (static_cast<std::uint64_t>(length) << 32) + static_cast<std::uint64_t>(i));
    const Example e = make_example(task, length, ngram, rng, alphabet);
    const std::vector<int> answer = greedy_answer(net, params, e);
    int right = 0;
    for (std::size_t j = 0; j < answer.size(); ++j)
      right += answer[j] == e.tokens[static_cast<std::size_t>(e.prompt) + j];
    const auto k = static_cast<std::size_t>(i);
    tokens_right[k] = right;
    tokens_total[k] = static_cast<int>(answer.size());
    string_right[k] = right == static_cast<int>(answer.size());
    state_numbers[k] = net.state_numbers(static_cast<long long>(e.tokens.size()) - 1);
  }
  EvalResult r;
  r.length = length;
  r.samples = samples;
  long long right = 0, total = 0, strings = 0;
  for (std::size_t k = 0; k < string_right.size(); ++k) {
    right += tokens_right[k];
    total += tokens_total[k];
    strings += string_right[k];
    r.state_numbers = std::max(r.state_numbers, state_numbers[k]);
  }
  r.string_accuracy = samples > 0 ? static_cast<double>(strings) / samples : 0;
  r.token_accuracy = total > 0 ? static_cast<double>(right) / static_cast<double>(total) : 0;
  return r;
}

}  // namespace copyproof::trained
