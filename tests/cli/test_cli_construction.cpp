// The construct, copy, verify and check subcommands from the outside: bad input gets one
// line naming the flag and the range, exit 2; --json prints exactly one object with the
// documented keys.
#include <doctest/doctest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/tensor_core_padding.hpp"
#include "copyproof/construction/verify_plan.hpp"

using copyproof::testing::run_cli;

namespace {

void check_usage_error(const std::string& args, const std::string& flag, const std::string& detail) {
  const auto run = run_cli(args);
  INFO("copyproof " << args << "\nstderr: " << run.err);
  CHECK(run.exit_code == 2);
  CHECK(run.err_lines() == 1);
  CHECK(run.err.find(flag) != std::string::npos);
  CHECK(run.err.find(detail) != std::string::npos);
  CHECK(run.out.empty());
}

}  // namespace

TEST_CASE("bad sizes name the flag and the allowed range, exit 2") {
  check_usage_error("construct -D 1 -n 3 -L 10", "--alphabet", "[2, 65536]");
  check_usage_error("construct -D 65537 -n 3 -L 10", "--alphabet", "[2, 65536]");
  check_usage_error("construct -D 4 -n 0 -L 10", "--ngram", "[1, ");
  check_usage_error("construct -D 4 -n 3 -L 0", "--max-length", "[1, ");
  check_usage_error("construct -D abc -n 3 -L 10", "--alphabet", "not an integer");
  check_usage_error("construct -D 4 -n 2.5 -L 10", "--ngram", "not an integer");
  check_usage_error("construct -D 65536 -n 200 -L 10", "--ngram", "[1, 119]");  // d_model cap
  check_usage_error("verify -D 4 -n 3 -L -5", "--length", "[1, ");
  check_usage_error("verify -D 4 -n 3 -L 10 --samples 0", "--samples", "[1, ");
  check_usage_error("verify -D 4 -n 3 -L 10 --threads 0", "--threads", "[1, 1024]");
}

TEST_CASE("a run that would not fit in memory says how much it needs, before allocating") {
  check_usage_error("verify -D 2 -n 30 -L 1e12 --samples 1", "--length", "needs");
  check_usage_error("verify -D 4 -n 20 --source debruijn", "--length", "needs");
}

TEST_CASE("source-specific checks") {
  check_usage_error("verify -D 2 -n 4 -L 40 --source exhaustive", "--length", "2^26");
  check_usage_error("verify -D 2 -n 4 -L 10 --source exhaustive --samples 5", "--samples", "exhaustive");
  check_usage_error("verify -D 2 -n 4 -L 7 --source debruijn", "--length", "19");
  check_usage_error("verify -D 2 -n 4 -L 4 --source planted", "--length", "n + 1");
  check_usage_error("verify -D 2 -n 4 --source uniform", "--length", "required");
  check_usage_error("verify -D 2 -n 4 -L 9 --source bogus", "--source", "bogus");
  check_usage_error("verify -D 2 -n 4 -L 9 --precision fp8", "--precision", "fp8");
}

TEST_CASE("verify --max-length: the model is built for L_max >= L") {
  const auto run = run_cli("verify -D 2 -n 3 -L 10 --max-length 5");
  INFO(run.err);
  CHECK(run.exit_code == 2);
  CHECK(run.err_lines() == 1);
  CHECK(run.err.find("--max-length") != std::string::npos);
  CHECK(run.err.find("L = 10") != std::string::npos);  // the strings' length it must reach
  check_usage_error("verify -D 2 -n 3 -L 10 --max-length 0", "--max-length", "[1, ");
  check_usage_error("verify -D 2 -n 3 --source debruijn --max-length 9", "--max-length", "10");

  const auto ok = run_cli("verify -D 2 -n 3 -L 10 --source exhaustive --max-length 1099511627776 --json");
  REQUIRE(ok.exit_code == 0);
  const auto j = nlohmann::json::parse(ok.out);
  CHECK(j["length"] == 10);
  CHECK(j["max_length"] == 1099511627776LL);
  CHECK(j["violations"] == 0);
  // lambda grows with L_max: the model really is the one for 2^40, not for L = 10.
  const auto small = nlohmann::json::parse(run_cli("verify -D 2 -n 3 -L 10 --source exhaustive --json").out);
  CHECK(j["lambda"].get<double>() > small["lambda"].get<double>() + 1);
}

// The scale of the library test's "margin alone" case (tests/construction/test_copy_transformer.cpp).
constexpr const char* kMarginOnlyScaleText = "0.5";

TEST_CASE("verify on a deliberately broken model: exit 1, the counters fire, a counterexample is printed") {
  check_usage_error("verify -D 2 -n 6 --source debruijn --diagnostic-lambda-scale 0", "--diagnostic-lambda-scale",
                    "(0, 1]");
  check_usage_error("verify -D 2 -n 6 --source debruijn --diagnostic-lambda-scale 1.5", "--diagnostic-lambda-scale",
                    "(0, 1]");
  check_usage_error("construct -D 2 -n 6 -L 10 --diagnostic-lambda-scale -1", "--diagnostic-lambda-scale", "(0, 1]");

  const std::string broken = "verify -D 2 -n 6 --source debruijn --samples 20 --seed 3 --diagnostic-lambda-scale 0.05";
  auto run = run_cli(broken);
  INFO(run.out);
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("DIAGNOSTIC MODEL") != std::string::npos);
  CHECK(run.out.find("first violation: sample ") != std::string::npos);
  CHECK(run.out.find("first disagreement: sample ") != std::string::npos);
  CHECK(run.out.find("first mass at or below the threshold: sample ") != std::string::npos);
  CHECK(run.out.find("FAIL") != std::string::npos);
  // The counterexample's stream at the query, labelled by slice (residual_labels.hpp).
  CHECK(run.out.find("stream at the query: tok=") != std::string::npos);
  CHECK(run.out.find(" q5=") != std::string::npos);
  CHECK(run.out.find(" k6=") != std::string::npos);
  CHECK(run.out.find(" bos=0 one=1") != std::string::npos);

  run = run_cli(broken + " --json");
  CHECK(run.exit_code == 1);
  auto j = nlohmann::json::parse(run.out);
  CHECK(j["lambda_scale"] == 0.05);
  CHECK(j["violations"].get<long long>() > 0);
  CHECK(j["disagreements"].get<long long>() > 0);
  CHECK(j["margin_failures"].get<long long>() > 0);
  CHECK(j["string_error"].get<double>() > j["repeat_fraction"].get<double>());
  CHECK(j["pass"] == false);
  CHECK(j["first_violation"]["repeated_ngram"] == false);
  CHECK(j["first_violation"]["expected"] != j["first_violation"]["predicted"]);
  // The labelled stream: `out` holds the code of what was predicted (the wrong token).
  CHECK(j["first_violation"]["residual"]["out"] == j["first_violation"]["predicted"]);
  CHECK(j["first_violation"]["residual"]["one"] == "1");

  // Every string has a repeat: no violation, but disagreements still fail the run.
  run = run_cli("verify -D 2 -n 6 -L 200 --source planted --samples 20 --seed 3 --diagnostic-lambda-scale 0.05 --json");
  CHECK(run.exit_code == 1);
  j = nlohmann::json::parse(run.out);
  CHECK(j["violations"] == 0);
  CHECK(j["disagreements"].get<long long>() > 0);
  CHECK(j["first_disagreement"]["matches"] == 1);

  // The margin alone fails a run whose copies are all right.
  run = run_cli("verify -D 2 -n 6 -L 200 --samples 20 --seed 3 --json --diagnostic-lambda-scale " +
                std::string(kMarginOnlyScaleText));
  CHECK(run.exit_code == 1);
  j = nlohmann::json::parse(run.out);
  CHECK(j["violations"] == 0);
  CHECK(j["disagreements"] == 0);
  CHECK(j["margin_failures"].get<long long>() > 0);
  CHECK(j["first_margin_failure"]["match_mass"].get<double>() <= 0.5);

  // construct reports the scale it built with.
  run = run_cli("construct -D 2 -n 6 -L 69 --json --diagnostic-lambda-scale 0.05");
  REQUIRE(run.exit_code == 0);
  CHECK(nlohmann::json::parse(run.out)["lambda_scale"] == 0.05);
}

TEST_CASE("verify --precision bf16 | fp16: the emulated forward through the CLI") {
  for (const char* format : {"bf16", "fp16"}) {
    const auto run = run_cli(std::string("verify -D 2 -n 6 --source debruijn --json --precision ") + format);
    INFO(format << ": " << run.err);
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["precision"] == format);
    CHECK(j["backend"] == std::string("cpu-emulated-") + format);
    CHECK(j["violations"] == 0);
  }
}

TEST_CASE("check: all-lengths-below-max and the uniform claims report their counts") {
  auto run = run_cli("check --only all-lengths-below-max --json");
  REQUIRE(run.exit_code == 0);
  auto claim = nlohmann::json::parse(run.out)["claims"][0];
  CHECK(claim["pass"] == true);
  CHECK(claim["numbers"]["max_length"] == 1099511627776LL);
  CHECK(claim["numbers"]["strings"] == 8190);               // 2 + 4 + ... + 2^12
  CHECK(claim["numbers"]["longest_without_repeat"] == 10);  // 2^3 + 3 - 1
  CHECK(claim["numbers"]["strings_without_repeat"].get<long long>() > 0);
  CHECK(claim["numbers"]["violations"] == 0);

  run = run_cli("check --only uniform-26-3-60 --json");
  REQUIRE(run.exit_code == 0);
  claim = nlohmann::json::parse(run.out)["claims"][0];
  const auto& j = claim["numbers"];
  CHECK(j["strings_not_copied_without_repeat"] == 0);
  CHECK(j["strings_not_copied_with_repeat"].get<long long>() +
            j["strings_not_copied_without_repeat"].get<long long>() ==
        j["strings_not_copied"].get<long long>());
  CHECK(j["repeat_fraction_lower_999"].get<double>() < j["repeat_fraction"].get<double>());
  CHECK(j["repeat_fraction_lower_999"].get<double>() <= j["lemma_bound"].get<double>());
}

TEST_CASE("copy: symbols outside the alphabet, empty strings, a too small --max-length") {
  check_usage_error("copy -D 3 -n 2 abcd", "STRING", "a..c");
  check_usage_error("copy -D 30 -n 2 '1 2 30'", "STRING", "[0, 29]");
  check_usage_error("copy -D 30 -n 2 '1 x'", "STRING", "[0, 29]");
  check_usage_error("copy -D 3 -n 2 ''", "STRING", "at least one");
  check_usage_error("copy -D 3 -n 2 -L 2 abc", "--max-length", ">=");
}

TEST_CASE("check: unknown claim ids") { check_usage_error("check --only nonsense", "--only", "nonsense"); }

TEST_CASE("--json prints exactly one object with the documented keys") {
  auto run = run_cli("construct -D 4 -n 8 -L 65543 --json");
  REQUIRE(run.exit_code == 0);
  auto j = nlohmann::json::parse(run.out);
  CHECK(j["d_model"] == 54);
  for (const char* key : {"params", "heads", "lambda", "alpha", "beta", "slices"}) CHECK(j.contains(key));
  // The int8 paths' padded d_k, from the one rule (tensor_core_padding.hpp): n b + 1 = 25 here.
  CHECK(j["layer2_key_width"] == 8 * 3 + 1);
  CHECK(j["layer2_int8_key_width"] == copyproof::construction::padded_key_width(8 * 3 + 1));
  CHECK(j["layer2_int8_k_steps"] ==
        copyproof::construction::padded_key_width(8 * 3 + 1) / copyproof::construction::kTensorCoreK);

  run = run_cli("copy -D 3 -n 3 --json abcabbacc");
  REQUIRE(run.exit_code == 0);
  j = nlohmann::json::parse(run.out);
  CHECK(j["input"] == "abcabbacc");
  CHECK(j["output"] == "abcabbacc");
  CHECK(j["copied"] == true);

  run = run_cli("verify -D 2 -n 4 -L 30 --samples 50 --json");
  REQUIRE(run.exit_code == 0);
  j = nlohmann::json::parse(run.out);
  for (const char* key : {"alphabet", "ngram", "length", "samples", "source", "d_model", "params", "string_error",
                          "repeat_fraction", "lemma_bound", "violations", "disagreements", "min_match_mass",
                          "max_layer1_error", "pairs_per_second", "seconds", "seed"})
    CHECK_MESSAGE(j.contains(key), key);
  CHECK(j["samples"] == 50);
  CHECK(j["violations"] == 0);
}

TEST_CASE("copy: a string with a repeated n-gram can fail, and says why") {
  const auto run = run_cli("copy -D 2 -n 2 abab");
  CHECK(run.exit_code == 0);  // allowed by the theorem: not a counterexample
  CHECK(run.out.find("NOT copied") != std::string::npos);
  CHECK(run.out.find("repeated n-gram") != std::string::npos);
}

TEST_CASE("--device gpu: one line and exit 2 without a usable GPU; the same JSON keys with one") {
  const auto run = run_cli("verify -D 2 -n 4 -L 30 --samples 3 --device gpu --json");
  if (run.exit_code == 2) {
    CHECK(run.err_lines() == 1);
    CHECK(run.err.find("--device: gpu") != std::string::npos);
  } else {
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["backend"] == "gpu-int8");
    CHECK(j["certified"] == true);
  }
  check_usage_error("verify -D 2 -n 4 -L 30 --device tpu", "--device", "tpu");
}

TEST_CASE("construct --weights writes a safetensors file, and says where") {
  const std::string path = "/tmp/copyproof_cli_weights_" + std::to_string(::getpid()) + ".safetensors";
  const auto run = run_cli("construct -D 4 -n 3 -L 50 --json --weights " + path);
  REQUIRE(run.exit_code == 0);
  CHECK(nlohmann::json::parse(run.out)["weights"] == path);
  CHECK(std::ifstream(path).good());
  std::remove(path.c_str());
  check_usage_error("construct -D 4 -n 3 -L 50 --weights /nonexistent_dir/w.safetensors", "--weights", "cannot write");
}

TEST_CASE("an unknown subcommand is named, with the known ones") {
  check_usage_error("frobnicate --alphabet 4", "frobnicate", "verify");
}

TEST_CASE("verify --precision int8 with n b > 127 (D = 65536, n = 8: B = 136) runs, no abort") {
  const auto run = run_cli("verify -D 65536 -n 8 -L 40 --samples 3 --precision int8 --threads 2 --json");
  INFO("stderr: " << run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  CHECK(j["backend"] == "cpu-int8");
  CHECK(j["violations"] == 0);
  CHECK(j["disagreements"] == 0);
  CHECK(j["certified"] == true);
}

TEST_CASE("verify --json reports seconds per stage") {
  for (const char* precision : {"fp32", "int8"}) {
    const auto run = run_cli(std::string("verify -D 4 -n 3 -L 200 --samples 4 --json --precision ") + precision);
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    REQUIRE(j.contains("stage_seconds"));
    const auto& s = j["stage_seconds"];
    for (const char* stage : {"forward", "layer1", "layer1_check", "layer2", "margins", "reference", "repeats"}) {
      REQUIRE_MESSAGE(s.contains(stage), stage);
      CHECK(s[stage].get<double>() >= 0);
    }
    const std::string p = precision;
    // Each path times the stages it runs: the float forward, or layer 1 and layer 2 apart.
    CHECK((p == "fp32" ? s["forward"].get<double>() : s["layer2"].get<double>()) > 0);
    CHECK(s["reference"].get<double>() > 0);
  }
}

// The planner's limits (verify_plan.hpp) through the CLI: each rejected one line past the
// limit naming its flag, each accepted at it where a run there is cheap. The library side
// of the same limits: tests/construction/test_verify_plan.cpp.
TEST_CASE("verify: the plan's limits through the CLI, derived from the library's constants") {
  namespace cx = copyproof::construction;
  using std::to_string;
  check_usage_error("verify -D 2 -n 2 -L 10 --samples " + to_string(cx::kMaxVerifySamples + 1), "--samples",
                    to_string(cx::kMaxVerifySamples));
  check_usage_error("verify -D 2 -n 2 -L 10 --threads " + to_string(cx::kMaxVerifyThreads + 1), "--threads",
                    to_string(cx::kMaxVerifyThreads));
  check_usage_error("verify -D 2 -n 2 -L " + to_string(cx::kMaxVerifyLength + 1), "--length",
                    to_string(cx::kMaxVerifyLength));
  check_usage_error("verify -D 26 -n " + to_string(cx::max_ngram(26) + 1) + " -L 10", "--ngram",
                    "[1, " + to_string(cx::max_ngram(26)) + "]");
  // D = 2: the longest exhaustive L has 2^L = kMaxExhaustiveStrings.
  int longest = 0;
  while ((std::int64_t{2} << longest) <= cx::kMaxExhaustiveStrings) ++longest;
  check_usage_error("verify -D 2 -n 2 --source exhaustive -L " + to_string(longest + 1), "--length", "2^26");
  check_usage_error("verify -D 2 -n 3 -L 12 --max-length 11", "--max-length", "[12, ");
  CHECK(run_cli("verify -D 2 -n 3 -L 12 --max-length 12 --samples 2").exit_code == 0);
  check_usage_error("verify -D 2 -n 3 -L 3 --source planted", "--length", "n + 1");
  CHECK(run_cli("verify -D 2 -n 3 -L 4 --source planted --samples 2").exit_code == 0);
  // A device runs int8: another precision is refused whether or not a GPU is here.
  check_usage_error("verify -D 2 -n 3 -L 10 --device gpu --precision fp32", "--precision", "int8");
  const auto defaults = nlohmann::json::parse(run_cli("verify -D 2 -n 2 -L 6 --json").out);
  CHECK(defaults["samples"] == cx::kDefaultVerifySamples);
}
