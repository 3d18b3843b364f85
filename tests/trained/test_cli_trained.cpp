// `copyproof train` and `copyproof eval` as a user runs them: bad input exits 2 with one
// line on stderr, a tiny run writes a checkpoint that eval reads, JSON keys as documented.

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

Run run(const std::string& args) {
  const std::string base =
      (std::filesystem::temp_directory_path() / ("copyproof_cli_" + std::to_string(::getpid()))).string();
  const std::string cmd = std::string(COPYPROOF_BINARY) + " " + args + " >" + base + ".out 2>" + base + ".err";
  const int status = std::system(cmd.c_str());
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  std::filesystem::remove(base + ".out");
  std::filesystem::remove(base + ".err");
  return r;
}

std::string tmp(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("copyproof_cli_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

void check_usage_error(const std::string& args, const std::string& must_mention) {
  CAPTURE(args);
  const Run r = run(args);
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find(must_mention) != std::string::npos);
}

}  // namespace

TEST_CASE("train refuses bad input with one line and exit 2") {
  const std::string out = " --out " + tmp("x.safetensors");
  check_usage_error("train --model gru --task copy" + out, "--model");
  check_usage_error("train --model lstm --task sort" + out, "--task");
  check_usage_error("train --model transformer --task copy --pos abs" + out, "--pos");
  check_usage_error("train --model transformer --task copy --layers 0" + out, "--layers");
  check_usage_error("train --model transformer --task copy --width 0" + out, "--width");
  check_usage_error("train --model transformer --task copy --width 30 --heads 4" + out, "--heads");
  check_usage_error("train --model mamba --task copy --state-dim 0" + out, "--state-dim");
  check_usage_error("train --model lstm --task copy --min-length 9 --max-length 4" + out, "--max-length");
  check_usage_error("train --model lstm --task dup --ngram 4 --min-length 5" + out, "--min-length");
  check_usage_error("train --model lstm --task copy --steps 0" + out, "--steps");
  check_usage_error("train --model lstm --task copy --lr 0" + out, "--lr");
  check_usage_error("train --model lstm --task copy --out /nonexistent-dir/x.safetensors", "--out");
  CHECK(!std::filesystem::exists(tmp("x.safetensors")));
}

TEST_CASE("a tiny train run writes a checkpoint that eval reads; bad checkpoints exit 2") {
  const std::string ck = tmp("tiny.safetensors"), log = tmp("tiny.jsonl");
  const Run t =
      run("train --model mamba --task copy --layers 1 --width 8 --state-dim 2 --steps 3 --batch 4 "
          "--min-length 2 --max-length 4 --eval-every 3 --eval-samples 4 --threads 1 --json --out " +
          ck + " --log " + log);
  REQUIRE(t.code == 0);
  const auto tj = nlohmann::json::parse(t.out);
  for (const char* key : {"model", "params", "state_numbers", "bits_per_number", "config", "task", "steps", "batch",
                          "lr", "seed", "threads", "final_loss", "seconds", "checkpoint", "eval"})
    CHECK_MESSAGE(tj.contains(key), key);
  CHECK(tj["state_numbers"] == 1 * 16 * (2 + 3));  // inner 2 x width, state + conv tail
  std::ifstream lines(log);
  std::string first;
  std::getline(lines, first);
  CHECK(nlohmann::json::parse(first).contains("loss"));

  const Run e = run("eval --checkpoint " + ck + " --lengths 3,5 --samples 4 --threads 1 --json");
  REQUIRE(e.code == 0);
  const auto ej = nlohmann::json::parse(e.out);
  CHECK(ej["model"] == "mamba");
  CHECK(ej["params"] == tj["params"]);
  REQUIRE(ej["results"].size() == 2);
  CHECK(ej["results"][1]["length"] == 5);
  for (const char* key : {"string_accuracy", "token_accuracy", "samples", "state_numbers"})
    CHECK(ej["results"][0].contains(key));

  check_usage_error("eval --checkpoint " + tmp("missing.safetensors"), "--checkpoint");
  check_usage_error("eval --checkpoint " + ck + " --lengths 3,x", "--lengths");
  check_usage_error("eval --checkpoint " + ck + " --task prefix --lengths 2", "--lengths");
  {
    std::ifstream in(ck, std::ios::binary);
    const std::string bytes(std::istreambuf_iterator<char>(in), {});
    std::ofstream(ck, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  }
  check_usage_error("eval --checkpoint " + ck, "--checkpoint");
  std::filesystem::remove(ck);
  std::filesystem::remove(log);
}
