#include <copyproof/trained/quantized_state.hpp>
#include <copyproof/trained/tasks.hpp>

#include "fixed_state.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace copyproof::trained {

double StateGrid::levels() const { return std::exp2(bits) - 1; }

std::uint32_t StateGrid::level_of(double x) const {
  const double step = 2 * range / levels();
  return static_cast<std::uint32_t>(std::clamp(std::round((x + range) / step), 0.0, levels()));
}

double StateGrid::value_of(std::uint32_t level) const { return -range + level * (2 * range / levels()); }

QuantizedEval evaluate_quantized_copy(const Network<float>& net, const float* params, int length, int bits, int samples,
                                      std::uint64_t seed, int alphabet) {
  if (net.config().kind == ModelKind::transformer)
    throw std::invalid_argument("a quantized state needs a fixed-state model (mamba or lstm)");
  if (bits < 1 || bits > kMaxQuantizedBits) throw std::invalid_argument("bits outside [1, 16]");
  auto acts = net.new_activations();
  std::vector<Example> examples;
  for (int i = 0; i < samples; ++i) {
    Rng rng = Rng::stream(seed, (static_cast<std::uint64_t>(length) << 32) + static_cast<std::uint64_t>(i));
    examples.push_back(make_example(Task::copy, length, 3, rng, alphabet));
  }
  // Pass 1: r = the largest |number| of the state after "BOS x" over the samples.
  double range = 0;
  for (const Example& e : examples) {
    auto state = net.new_state(static_cast<int>(e.tokens.size()));
    net.forward(*acts, params, e.tokens.data(), 1, e.prompt - 1, state.get());
    for (const Matrix<float>* m : state_matrices(net, *state))
      for (Eigen::Index i = 0; i < m->size(); ++i) range = std::max(range, std::abs(static_cast<double>(m->data()[i])));
  }
  if (range == 0) range = 1;
  const StateGrid grid{bits, range};

  // Pass 2: quantize, read SEP, decode from the quantized state.
  QuantizedEval r;
  r.length = length;
  r.bits = bits;
  r.samples = samples;
  r.range = range;
  std::unordered_set<std::string> states;
  std::set<std::vector<int>> copied_strings;  // distinct strings copied (a sample may repeat a string)
  std::int64_t tokens_right = 0, tokens_total = 0;
  for (const Example& e : examples) {
    auto state = net.new_state(static_cast<int>(e.tokens.size()));
    net.forward(*acts, params, e.tokens.data(), 1, e.prompt - 1, state.get());
    std::string key;
    for (Matrix<float>* m : state_matrices(net, *state))
      for (Eigen::Index i = 0; i < m->size(); ++i) {
        const std::uint32_t level = grid.level_of(m->data()[i]);
        m->data()[i] = static_cast<float>(grid.value_of(level));
        key.append(reinterpret_cast<const char*>(&level), sizeof level);
      }
    states.insert(key);
    const Matrix<float>* logits =
        &net.forward(*acts, params, &e.tokens[static_cast<std::size_t>(e.prompt) - 1], 1, 1, state.get());
    const int answer_length = static_cast<int>(e.tokens.size()) - e.prompt;
    std::vector<int> answer = {greedy_token(*logits, 0)};
    while (static_cast<int>(answer.size()) < answer_length) {
      const int token = answer.back();
      logits = &net.forward(*acts, params, &token, 1, 1, state.get());
      answer.push_back(greedy_token(*logits, 0));
    }
    int right = 0;
    for (std::size_t j = 0; j < answer.size(); ++j)
      right += answer[j] == e.tokens[static_cast<std::size_t>(e.prompt) + j];
    tokens_right += right;
    tokens_total += answer_length;
    if (right == answer_length) {
      ++r.copied;
      copied_strings.insert(std::vector<int>(e.tokens.begin() + 1, e.tokens.begin() + e.prompt - 1));
    }
  }
  r.distinct_states = static_cast<std::int64_t>(states.size());
  r.string_accuracy = samples > 0 ? static_cast<double>(r.copied) / samples : 0;
  r.token_accuracy = tokens_total > 0 ? static_cast<double>(tokens_right) / static_cast<double>(tokens_total) : 0;
  // Different strings copied need different quantized states (the answer is a function of it).
  r.holds = static_cast<std::int64_t>(copied_strings.size()) <= r.distinct_states;
  return r;
}

}  // namespace copyproof::trained
