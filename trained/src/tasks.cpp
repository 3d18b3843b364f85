// Example generation for copy, dup, prefix and suffix (formats in tasks.hpp).

#include <copyproof/trained/enum_names.hpp>
#include <copyproof/trained/tasks.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace copyproof::trained {

namespace {
constexpr EnumNames<Task, 4> kTaskNames{
    {{Task::copy, "copy"}, {Task::dup, "dup"}, {Task::prefix, "prefix"}, {Task::suffix, "suffix"}}};
}  // namespace

std::string to_string(Task task) { return name_of(kTaskNames, task); }
bool parse_task(const std::string& text, Task& out) { return parse_name(kTaskNames, text, out); }

int min_string_length(Task task, int ngram) {
  switch (task) {
    case Task::copy: return 1;
    case Task::dup: return 2 * ngram;  // two disjoint n-grams
    case Task::prefix:
    case Task::suffix: return ngram + 1;  // a key and one answer token after it
  }
  return 1;
}

int max_string_length(Task task, int ngram) {
  if (task == Task::copy || task == Task::dup) return kMaxStringLength;
  std::int64_t keys = 1;  // 26^n, up to the flags' limit
  for (int i = 0; i < ngram && keys <= kMaxStringLength; ++i) keys *= kDefaultAlphabet;
  return static_cast<int>(std::min<std::int64_t>(keys, kMaxStringLength));
}

namespace {

std::vector<int> random_letters(int length, int alphabet, Rng& rng) {
  std::vector<int> x(static_cast<std::size_t>(length));
  for (int& c : x) c = static_cast<int>(rng.below(static_cast<std::uint64_t>(alphabet)));
  return x;
}

// Start of a uniformly chosen n-gram that occurs once in x and has a token after it, or -1.
int unique_key_start(const std::vector<int>& x, int n, Rng& rng) {
  const int starts = static_cast<int>(x.size()) - n;  // keys at [0, starts) leave >= 1 answer token
  std::map<std::vector<int>, int> count;
  for (int i = 0; i + n <= static_cast<int>(x.size()); ++i) ++count[std::vector<int>(x.begin() + i, x.begin() + i + n)];
  std::vector<int> unique;
  for (int i = 0; i < starts; ++i)
    if (count[std::vector<int>(x.begin() + i, x.begin() + i + n)] == 1) unique.push_back(i);
  if (unique.empty()) return -1;
  return unique[rng.below(unique.size())];
}

}  // namespace

Example make_example(Task task, int length, int n, Rng& rng, int alphabet) {
  if (!valid_alphabet(alphabet))
    throw std::invalid_argument("alphabet " + std::to_string(alphabet) + " outside [" + std::to_string(kMinAlphabet) +
                                ", " + std::to_string(kMaxAlphabet) + "]");
  Example e;
  auto& t = e.tokens;
  std::vector<int> x = random_letters(length, alphabet, rng);
  if (task == Task::dup) {
    // Copy the n-gram at i over the (disjoint) n-gram at j: x then holds that n-gram twice.
    const int starts = length - n + 1;
    int i = 0, j = 0;
    do {
      i = static_cast<int>(rng.below(starts));
      j = static_cast<int>(rng.below(starts));
    } while (std::abs(i - j) < n);
    std::copy(x.begin() + i, x.begin() + i + n, x.begin() + j);
  }
  if (task == Task::copy || task == Task::dup) {
    t.push_back(kBos);
    t.insert(t.end(), x.begin(), x.end());
    t.push_back(kSep);
    e.prompt = static_cast<int>(t.size());
    t.insert(t.end(), x.begin(), x.end());
    t.push_back(kEos);
    return e;
  }
  int key = unique_key_start(x, n, rng);
  for (int tries = 0; key < 0 && tries < 1000; ++tries) {
    x = random_letters(length, alphabet, rng);
    key = unique_key_start(x, n, rng);
  }
  if (key < 0)
    throw std::runtime_error("no string of length " + std::to_string(length) + " with a unique " + std::to_string(n) +
                             "-gram key found");
  const auto key_begin = x.begin() + key, key_end = key_begin + n;
  t.push_back(kBos);
  if (task == Task::prefix) {
    t.insert(t.end(), key_begin, key_end);
    t.push_back(kSep);
    t.insert(t.end(), x.begin(), x.end());
    t.push_back(kSep);
  } else {
    t.insert(t.end(), x.begin(), x.end());
    t.push_back(kSep);
    t.insert(t.end(), key_begin, key_end);
  }
  e.prompt = static_cast<int>(t.size());
  t.insert(t.end(), key_end, x.end());
  t.push_back(kEos);
  return e;
}

TokenBatch make_batch(Task task, int B, int min_length, int max_length, int ngram, std::uint64_t seed,
                      std::uint64_t first_index, int alphabet) {
  std::vector<Example> examples;
  int T = 0;
  for (int i = 0; i < B; ++i) {
    Rng rng = Rng::stream(seed, first_index + static_cast<std::uint64_t>(i));
    const int length =
        min_length + static_cast<int>(rng.below(static_cast<std::uint64_t>(max_length - min_length + 1)));
    examples.push_back(make_example(task, length, ngram, rng, alphabet));
    T = std::max(T, static_cast<int>(examples.back().tokens.size()) - 1);
  }
  TokenBatch batch;
  batch.B = B;
  batch.T = T;
  const std::size_t N = static_cast<std::size_t>(B) * static_cast<std::size_t>(T);
  batch.inputs.assign(N, kEos);
  batch.targets.assign(N, kEos);
  batch.scored.assign(N, 0);
  for (int b = 0; b < B; ++b) {
    const Example& e = examples[static_cast<std::size_t>(b)];
    for (int i = 0; i + 1 < static_cast<int>(e.tokens.size()); ++i) {
      const std::size_t r = static_cast<std::size_t>(b) * static_cast<std::size_t>(T) + static_cast<std::size_t>(i);
      batch.inputs[r] = e.tokens[static_cast<std::size_t>(i)];
      batch.targets[r] = e.tokens[static_cast<std::size_t>(i) + 1];
      batch.scored[r] = (i + 1 >= e.prompt) ? 1 : 0;  // position i predicts token i+1
    }
  }
  return batch;
}

TokenBatch slice_batch(const TokenBatch& batch, int first, int count) {
  TokenBatch s;
  s.B = count;
  s.T = batch.T;
  const auto begin = static_cast<std::size_t>(first) * static_cast<std::size_t>(batch.T);
  const auto end = begin + static_cast<std::size_t>(count) * static_cast<std::size_t>(batch.T);
  s.inputs.assign(batch.inputs.begin() + static_cast<long>(begin), batch.inputs.begin() + static_cast<long>(end));
  s.targets.assign(batch.targets.begin() + static_cast<long>(begin), batch.targets.begin() + static_cast<long>(end));
  s.scored.assign(batch.scored.begin() + static_cast<long>(begin), batch.scored.begin() + static_cast<long>(end));
  return s;
}

}  // namespace copyproof::trained
