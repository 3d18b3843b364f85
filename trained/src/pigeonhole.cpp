#include <copyproof/trained/pigeonhole.hpp>
#include <copyproof/trained/quantized_state.hpp>
#include <copyproof/trained/tasks.hpp>

#include "fixed_state.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "copyproof/common/argmax.hpp"

namespace copyproof::trained {

namespace {

std::vector<int> letters_of(std::int64_t index, int length, int alphabet) {
  return pigeonhole_string(index, length, alphabet);
}

}  // namespace

std::vector<int> pigeonhole_string(std::int64_t index, int length, int alphabet) {
  std::vector<int> x(static_cast<std::size_t>(length));
  for (int i = length - 1; i >= 0; --i, index /= alphabet)
    x[static_cast<std::size_t>(i)] = static_cast<int>(index % alphabet);
  return x;
}

int pigeonhole_max_length(int alphabet) {
  int length = 0;
  for (std::int64_t strings = alphabet; strings <= kPigeonholeMaxStrings; strings *= alphabet) ++length;
  return length;
}

std::int64_t pigeonhole_strings(int alphabet, int length) {
  std::int64_t strings = 1;
  for (int i = 0; i < length; ++i) strings *= alphabet;
  return strings;
}

PigeonholeResult pigeonhole_check(const Network<float>& net, const float* params, int length, int bits, int alphabet) {
  if (net.config().kind == ModelKind::transformer)
    throw std::invalid_argument("the pigeonhole check needs a fixed-state model (mamba or lstm)");
  if (!valid_alphabet(alphabet)) throw std::invalid_argument("alphabet outside [2, 26]");
  if (length < 1 || length > pigeonhole_max_length(alphabet))
    throw std::invalid_argument("length outside [1, " + std::to_string(pigeonhole_max_length(alphabet)) + "]");
  if (bits < 1 || bits > 16) throw std::invalid_argument("bits outside [1, 16]");
  const std::int64_t strings = pigeonhole_strings(alphabet, length);
  auto acts = net.new_activations();

  // Pass 1: the state after "BOS x" of every string, and r = the largest |number|.
  const int max_tokens = 2 * length + 3;
  std::vector<std::vector<float>> states(static_cast<std::size_t>(strings));
  double range = 0;
  for (std::int64_t s = 0; s < strings; ++s) {
    std::vector<int> prompt = {kBos};
    for (int c : letters_of(s, length, alphabet)) prompt.push_back(c);
    auto state = net.new_state(max_tokens);
    net.forward(*acts, params, prompt.data(), 1, static_cast<int>(prompt.size()), state.get());
    auto& numbers = states[static_cast<std::size_t>(s)];
    for (const Matrix<float>* m : state_matrices(net, *state))
      for (Eigen::Index i = 0; i < m->size(); ++i) {
        numbers.push_back(m->data()[i]);
        range = std::max(range, std::abs(static_cast<double>(m->data()[i])));
      }
  }
  if (range == 0) range = 1;

  // Pass 2: quantize, count distinct states, decode from the quantized state.
  const StateGrid grid{bits, range};  // the grid of quantized_state.hpp
  PigeonholeResult r;
  r.length = length;
  r.bits = bits;
  r.alphabet = alphabet;
  r.state_numbers = net.state_numbers(0);
  r.range = range;
  r.strings = strings;
  std::unordered_map<std::string, std::int64_t> first_with;  // quantized state -> first string
  std::vector<std::vector<int>> answers(static_cast<std::size_t>(strings));
  std::vector<char> copied(static_cast<std::size_t>(strings));
  std::int64_t collision_a = -1, collision_b = -1;
  for (std::int64_t s = 0; s < strings; ++s) {
    const std::vector<int> x = letters_of(s, length, alphabet);
    std::vector<int> prompt = {kBos};
    prompt.insert(prompt.end(), x.begin(), x.end());
    auto state = net.new_state(max_tokens);
    net.forward(*acts, params, prompt.data(), 1, static_cast<int>(prompt.size()),
                state.get());  // sets up the state's shape and length
    std::string key;
    std::size_t k = 0;
    for (Matrix<float>* m : state_matrices(net, *state))
      for (Eigen::Index i = 0; i < m->size(); ++i, ++k) {
        const std::uint32_t level = grid.level_of(states[static_cast<std::size_t>(s)][k]);
        m->data()[i] = static_cast<float>(grid.value_of(level));
        const auto l = static_cast<std::uint16_t>(level);  // bits <= 16
        key.push_back(static_cast<char>(l & 0xff));
        key.push_back(static_cast<char>(l >> 8));
      }
    const int sep = kSep;
    const Matrix<float>* logits = &net.forward(*acts, params, &sep, 1, 1, state.get());
    std::vector<int> answer = {greedy_token(*logits, 0)};
    while (static_cast<int>(answer.size()) < length + 1) {
      const int token = answer.back();
      logits = &net.forward(*acts, params, &token, 1, 1, state.get());
      answer.push_back(greedy_token(*logits, 0));
    }
    std::vector<int> expected = x;
    expected.push_back(kEos);
    copied[static_cast<std::size_t>(s)] = answer == expected;
    r.copied += copied[static_cast<std::size_t>(s)];
    answers[static_cast<std::size_t>(s)] = answer;
    const auto [it, inserted] = first_with.emplace(key, s);
    if (!inserted && collision_a < 0) collision_a = it->second, collision_b = s;
  }
  r.distinct_states = static_cast<std::int64_t>(first_with.size());
  r.holds = r.copied <= r.distinct_states;
  if (collision_a >= 0) {
    PigeonholeWitness w;
    w.a = letters_of(collision_a, length, alphabet);
    w.b = letters_of(collision_b, length, alphabet);
    w.answer_a = answers[static_cast<std::size_t>(collision_a)];
    w.answer_b = answers[static_cast<std::size_t>(collision_b)];
    w.a_copied = copied[static_cast<std::size_t>(collision_a)];
    w.b_copied = copied[static_cast<std::size_t>(collision_b)];
    r.witness = w;
  }
  return r;
}

}  // namespace copyproof::trained
