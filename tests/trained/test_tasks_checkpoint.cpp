// Task formats (the paper's, see tasks.hpp), batch determinism, and checkpoints: round
// trip, and every corrupt / truncated / mismatched file refused with one line.

#include <copyproof/trained/checkpoint.hpp>
#include <copyproof/trained/tasks.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

using namespace copyproof;
using namespace copyproof::trained;

TEST_CASE("copy and dup examples are BOS x SEP x EOS") {
  Rng rng(1);
  const Example e = make_example(Task::copy, 6, 3, rng);
  REQUIRE(e.tokens.size() == 15u);
  CHECK(e.tokens[0] == kBos);
  CHECK(e.tokens[7] == kSep);
  CHECK(e.prompt == 8);
  CHECK(e.tokens.back() == kEos);
  for (int i = 0; i < 6; ++i) CHECK(e.tokens[1 + i] == e.tokens[8 + i]);

  for (int trial = 0; trial < 20; ++trial) {  // dup: some n-gram occurs at two disjoint places
    const Example d = make_example(Task::dup, 10, 3, rng);
    const std::vector<int> x(d.tokens.begin() + 1, d.tokens.begin() + 11);
    bool repeated = false;
    for (int i = 0; i + 3 <= 10; ++i)
      for (int j = i + 3; j + 3 <= 10; ++j) repeated |= std::equal(x.begin() + i, x.begin() + i + 3, x.begin() + j);
    CHECK(repeated);
  }
}

TEST_CASE("prefix and suffix answers are what follows the key's unique occurrence") {
  Rng rng(2);
  for (Task task : {Task::prefix, Task::suffix}) {
    for (int trial = 0; trial < 20; ++trial) {
      const Example e = make_example(task, 12, 3, rng);
      std::vector<int> x, key;
      if (task == Task::prefix) {
        key.assign(e.tokens.begin() + 1, e.tokens.begin() + 4);
        CHECK(e.tokens[4] == kSep);
        x.assign(e.tokens.begin() + 5, e.tokens.begin() + 17);
        CHECK(e.tokens[17] == kSep);
      } else {
        x.assign(e.tokens.begin() + 1, e.tokens.begin() + 13);
        CHECK(e.tokens[13] == kSep);
        key.assign(e.tokens.begin() + 14, e.tokens.begin() + 17);
      }
      CHECK(e.prompt == 18 - (task == Task::suffix ? 1 : 0));
      const auto at = std::search(x.begin(), x.end(), key.begin(), key.end());
      REQUIRE(at != x.end());
      CHECK(std::search(at + 1, x.end(), key.begin(), key.end()) == x.end());  // unique
      const std::vector<int> answer(e.tokens.begin() + e.prompt, e.tokens.end() - 1);
      CHECK(answer == std::vector<int>(at + 3, x.end()));
      CHECK(!answer.empty());
    }
  }
}

TEST_CASE("prefix/suffix: max_string_length is 26^n, and examples are drawn at it without giving up") {
  CHECK(max_string_length(Task::copy, 1) == kMaxStringLength);
  CHECK(max_string_length(Task::dup, 64) == kMaxStringLength);
  CHECK(max_string_length(Task::prefix, 1) == 26);
  CHECK(max_string_length(Task::suffix, 2) == 676);
  CHECK(max_string_length(Task::prefix, 3) == 17576);
  CHECK(max_string_length(Task::suffix, 4) == kMaxStringLength);  // 26^4 = 456,976: past the flags
  CHECK(max_string_length(Task::prefix, 64) == kMaxStringLength);
  // At the limit every draw finds a key (1000 tries each; the sampler failed at L = 734 for
  // n = 1, where no string of 1000 had one). n = 3 at 17576 letters: fewer strings (slower).
  for (const auto& [n, samples] : {std::pair{1, 2000}, std::pair{2, 200}, std::pair{3, 5}})
    for (const Task task : {Task::prefix, Task::suffix})
      for (int i = 0; i < samples; ++i) {
        Rng rng = Rng::stream(11, static_cast<std::uint64_t>(i));
        CAPTURE(n);
        REQUIRE_NOTHROW(make_example(task, max_string_length(task, n), n, rng));
      }
  // Past about N ln N letters (N = 26^n) the sampler gives up: the refusal `train` and
  // `eval` make at the limit is needed (a thousand draws at L = 734 for n = 1 all fail).
  Rng rng = Rng::stream(11, 0);
  CHECK_THROWS_AS(make_example(Task::prefix, 734, 1, rng), std::runtime_error);
}

TEST_CASE("batches depend on the seed and index only, and score only answer tokens") {
  const TokenBatch a = make_batch(Task::copy, 4, 3, 7, 3, 9, 100);
  const TokenBatch b = make_batch(Task::copy, 4, 3, 7, 3, 9, 100);
  CHECK(a.inputs == b.inputs);
  const TokenBatch c = make_batch(Task::copy, 4, 3, 7, 3, 10, 100);
  CHECK(a.inputs != c.inputs);
  // Row 0's scored targets are its answer: the string again and EOS.
  long long per_row_expected = 0;
  for (int r = 0; r < a.B; ++r) {
    int length = 0;
    while (a.inputs[static_cast<std::size_t>(r * a.T + 1 + length)] != kSep) ++length;
    per_row_expected += length + 1;
  }
  CHECK(a.scored_count() == per_row_expected);
  const TokenBatch s = slice_batch(a, 1, 2);
  CHECK(s.B == 2);
  CHECK(std::equal(s.inputs.begin(), s.inputs.end(), a.inputs.begin() + a.T));
}

TEST_CASE("--alphabet D: training strings use exactly the first D letters") {
  for (int d : {2, 4}) {
    CAPTURE(d);
    const TokenBatch b = make_batch(Task::copy, 32, 5, 10, 3, 7, 0, d);
    std::set<int> letters;
    for (int t : b.inputs)
      if (t < kLetters) letters.insert(t);
    std::set<int> first_d;
    for (int c = 0; c < d; ++c) first_d.insert(c);
    CHECK(letters == first_d);  // only letters 0..D-1, and every one of them (32 x 5+ draws)
  }
  const TokenBatch dup = make_batch(Task::dup, 16, 6, 10, 3, 7, 0, 2);
  for (int t : dup.inputs) CHECK((t < 2 || t >= kLetters));
  // D = 26 is the default: the same batches as before --alphabet existed.
  CHECK(make_batch(Task::copy, 8, 3, 7, 3, 9, 100, 26).inputs == make_batch(Task::copy, 8, 3, 7, 3, 9, 100).inputs);
  Rng rng(1);
  CHECK_THROWS_AS(make_example(Task::copy, 4, 3, rng, 1), std::invalid_argument);
  CHECK_THROWS_AS(make_example(Task::copy, 4, 3, rng, 27), std::invalid_argument);
}

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("copyproof_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

Checkpoint small_checkpoint() {
  Checkpoint ck;
  ck.meta.config = default_config(ModelKind::mamba, kVocab);
  ck.meta.config.layers = 1;
  ck.meta.config.width = 8;
  ck.meta.config.state_dim = 2;
  ck.meta.task = Task::copy;
  ck.meta.min_length = 2;
  ck.meta.max_length = 5;
  ck.meta.ngram = 3;
  ck.meta.steps = 7;
  ck.meta.batch = 4;
  ck.meta.lr = 0.001;
  ck.meta.seed = 5;
  const auto net = make_network<float>(ck.meta.config);
  ck.params.resize(net->parameter_count());
  net->init(ck.params.data(), 3);
  return ck;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("checkpoint round trip keeps config and every parameter; no temp file stays") {
  const Checkpoint ck = small_checkpoint();
  const std::string path = temp_path("round.safetensors");
  save_checkpoint(path, ck);
  const Checkpoint back = load_checkpoint(path);
  CHECK(back.params == ck.params);
  CHECK(back.meta.config.kind == ModelKind::mamba);
  CHECK(back.meta.config.state_dim == 2);
  CHECK(back.meta.max_length == 5);
  CHECK(back.meta.seed == 5);
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    CHECK(entry.path().string().find(path + ".tmp") == std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("a checkpoint keeps its alphabet; one without the key (written before --alphabet) loads as 26") {
  Checkpoint ck = small_checkpoint();
  ck.meta.alphabet = 4;
  const std::string path = temp_path("alphabet.safetensors");
  save_checkpoint(path, ck);
  CHECK(load_checkpoint(path).meta.alphabet == 4);
  SafetensorsFile file = read_safetensors(path);
  REQUIRE(file.metadata.count("alphabet") == 1);
  CHECK(file.metadata["alphabet"] == "4");
  file.metadata.erase("alphabet");
  CHECK(checkpoint_from_safetensors(file, path).meta.alphabet == kDefaultAlphabet);
  for (const char* bad : {"1", "27", "4.0", "", "x", "-4"}) {
    CAPTURE(bad);
    file.metadata["alphabet"] = bad;
    CHECK_THROWS_AS(checkpoint_from_safetensors(file, path), CheckpointError);
  }
  std::filesystem::remove(path);
}

TEST_CASE("corrupt, truncated and mismatched checkpoints are refused") {
  const std::string path = temp_path("bad.safetensors");
  save_checkpoint(path, small_checkpoint());
  const std::string good = read_all(path);
  auto refused = [&](const std::string& bytes) {
    write_all(path, bytes);
    try {
      load_checkpoint(path);
    } catch (const CheckpointError& e) {
      const std::string what = e.what();
      return what.find('\n') == std::string::npos && !what.empty();
    }
    return false;
  };
  CHECK(refused(""));                               // empty
  CHECK(refused(good.substr(0, 5)));                // no header length
  CHECK(refused(good.substr(0, 40)));               // header cut
  CHECK(refused(good.substr(0, good.size() - 4)));  // data cut
  CHECK(refused(good + "xxxx"));                    // trailing bytes
  std::string not_json = good;
  not_json[9] = '#';
  CHECK(refused(not_json));
  std::string wrong_width = good;  // config says width 9: shapes disagree
  const auto at = wrong_width.find("\"width\":\"8\"");
  REQUIRE(at != std::string::npos);
  wrong_width[at + 9] = '9';
  CHECK(refused(wrong_width));
  std::string nan = good;  // a NaN parameter
  const float bad = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(nan.data() + nan.size() - 4, &bad, 4);
  CHECK(refused(nan));
  std::filesystem::remove(path);
  CHECK_THROWS_AS(load_checkpoint(temp_path("missing.safetensors")), CheckpointError);
}
