// `copyproof bound` and `copyproof pngram` as a user runs them: JSON keys, bad input
// (exit 2, one line on stderr naming the flag), and answers at L = 1e18 in milliseconds.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct Run {
  int exit_code = -1;
  std::string out, err;
};

Run run(const std::string& args) {
  const std::string err_file = "test_cli_bounds_stderr.tmp";
  const std::string command = std::string(COPYPROOF_BINARY) + " " + args + " 2>" + err_file;
  Run r;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, got);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  std::stringstream text;
  text << err.rdbuf();
  r.err = text.str();
  std::remove(err_file.c_str());
  return r;
}

nlohmann::json run_json(const std::string& args) {
  const Run r = run(args + " --json");
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

std::size_t lines(const std::string& text) {
  std::size_t count = 0;
  for (const char c : text) count += c == '\n' ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("bound --json: the documented keys, with the hand-computed values") {
  const auto j = run_json("bound --alphabet 2 --length 10 --state-bits 3 --epsilon 0.25");
  CHECK(j["error_lower_bound"] == "127/128");
  CHECK(j["error_lower_bound_decimal"] == "0.9921875");
  CHECK(j["log2_states"] == "3");
  CHECK(j["log2_ratio"] == "-7");
  CHECK(j["max_length_half"] == 3);     // 2^3 / 2^L > 1/2 iff L < 4
  CHECK(j["max_length_epsilon"] == 3);  // 2^(3-L) > 3/4 iff L < 3.415
  CHECK(j["min_state_bits"] == 10);     // B > 10 + log2(3/4) = 9.58
  CHECK(j["transformer"]["ngram"].is_number());
  CHECK(j["transformer"]["d_model"].is_number());
}

TEST_CASE("bound --preset: stored and effective numbers, 16 bits by default") {
  const auto j = run_json("bound --preset mamba-130m --length 1e6");
  CHECK(j["alphabet"] == 50277);  // the GPT-NeoX tokenizer by default
  CHECK(j["state_numbers_stored"] == 24 * 1536 * 20);
  CHECK(j["state_numbers_effective"] == 24 * 1536 * 19);
  CHECK(j["bits_per_number"] == 16);
  CHECK(j["state_bits"] == 24 * 1536 * 19 * 16);
  const auto wide = run_json("bound --preset mamba-130m --length 1e6 --bits-per-number 32");
  CHECK(wide["state_bits"] == 24 * 1536 * 19 * 32);
  CHECK(wide["number_format"] == "--bits-per-number");
  const auto xlstm = run_json("bound --preset xlstm-7b --length 10");
  CHECK(xlstm["bits_per_number"] == 32);  // native fp32 state
  CHECK(xlstm["state_bits"] == 32LL * 8 * (256 * 512 + 256 + 1) * 32);
  CHECK(xlstm["fixed_state"] == true);
  CHECK(run_json("bound --preset recurrentgemma-2b --length 10")["alphabet"] == 256000);  // its own vocabulary
}

TEST_CASE("bound --preset on a hybrid: state = fixed + growth x (L + 2), Theorem 2.7 does not apply") {
  const auto j = run_json("bound --preset jamba-v0.1 --length 1000");
  CHECK(j["fixed_state"] == false);
  CHECK(j["fixed_numbers_effective"] == 28 * 8192 * 19);
  CHECK(j["growth_per_token_effective"] == 4 * 2 * 8 * 128);
  CHECK(j["state_numbers_effective"] == 28 * 8192 * 19 + 4 * 2 * 8 * 128 * 1002);
  CHECK(j["native_max_length_half"].is_null());
  const Run text = run("bound --preset zamba2-2.7b --length 1000");
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("Theorem 2.7 does not apply") != std::string::npos);
  const Run fixed = run("bound --preset recurrentgemma-9b --length 1000");
  CHECK(fixed.out.find("does not apply") == std::string::npos);
}

TEST_CASE("L = 1e18 and D = 65536 answer in milliseconds, exactly") {
  const auto start = std::chrono::steady_clock::now();
  const auto j = run_json("bound --alphabet 65536 --length 1e18 --state-bits 1e6 --epsilon 1e-9");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(j["error_lower_bound"] == "1 - 2^-15999999999999000000");
  CHECK(j["min_state_bits"] == 16000000000000000000ULL);  // B > 16e18 + log2(1 - 1e-9): 16e18
  CHECK(seconds < 2.0);  // one process start plus milliseconds of work; 2 s covers sanitizer builds
}

TEST_CASE("bound --table and --list-presets") {
  const auto table = run_json("bound --table --alphabet 2 --lengths 10,1e3,1e18");
  REQUIRE(table["rows"].size() == 3);
  CHECK(table["rows"][0]["ngram"] == 9);  // eps = 0.01 by default: C(11-n,2) 2^-n <= 0.01 at n = 9
  CHECK(table["rows"][2]["min_state_bits"] == 1000000000000000000ULL);
  const auto list = run_json("bound --list-presets");
  CHECK(list["presets"].size() >= 35);
  CHECK(list["default_alphabet"] == 50277);
  for (const auto& p : list["presets"]) {
    CAPTURE(p["preset"]);
    // L* exactly when the state is fixed; cross-checked against the single query's max_length_half.
    CHECK(p["native_max_length_half"].is_null() == !p["fixed_state"].get<bool>());
  }
  const auto mamba = run_json("bound --preset mamba-2.8b --length 1000");
  for (const auto& p : list["presets"])
    if (p["preset"] == "mamba-2.8b") CHECK(p["native_max_length_half"] == mamba["max_length_half"]);
  CHECK(mamba["max_length_half"].get<long long>() > 1000000);  // bf16, D = 50277: millions of tokens
  const Run text = run("bound --list-presets");
  CHECK(text.out.find("KV cache grows with L, Theorem 2.7 does not apply") != std::string::npos);
}

TEST_CASE("pngram: exact by trails, by enumeration, and Monte Carlo with its interval") {
  const auto exact = run_json("pngram --alphabet 2 --ngram 5 --length 24 --exact");
  CHECK(exact["method"] == "de-bruijn-trails");
  CHECK(exact["probability_exact"] == "4139641/4194304");  // 1 - 218652 / 2^24
  CHECK(exact["lemma_bound_exact"] == "95/16");            // C(20, 2) / 32
  CHECK(exact["within_lemma_bound"] == true);
  const auto enumerated = run_json("pngram --alphabet 3 --ngram 2 --length 8 --enumerate");
  CHECK(enumerated["method"] == "enumeration");
  CHECK(enumerated["probability_exact"] == run_json("pngram --alphabet 3 --ngram 2 --length 8")["probability_exact"]);
  const auto mc = run_json("pngram --alphabet 3 --ngram 2 --length 8 --samples 2000 --seed 5");
  CHECK(mc["method"] == "monte-carlo");
  CHECK(mc["ci_low"].get<double>() <= mc["probability"].get<double>());
  CHECK(mc["seed"] == 5);
}

TEST_CASE("pngram: closed forms at the largest D, n and L, and fractions too long to write out") {
  const auto pigeonhole = run_json("pngram -D 65536 -n 1 -L 4294967296");  // p = 1, D^L never formed
  CHECK(pigeonhole["method"] == "closed-form");
  CHECK(pigeonhole["probability_exact"] == "1");
  CHECK(pigeonhole["strings_without_repeat"] == 0);
  const auto one_ngram = run_json("pngram -D 65536 -n 1048576 -L 1048576");  // p = 0; D^L has 2^24 bits
  CHECK(one_ngram["probability_exact"] == "0");
  CHECK_FALSE(one_ngram.contains("strings_without_repeat"));
  // n = 1 at L = 274: the reduced fraction needs 4098 bits (test_ngram_probability), so it is
  // given to kBoundDigits digits, rounded both ways, and the two roundings bracket the double.
  const auto long_fraction = run_json("pngram -D 65536 -n 1 -L 274");
  CHECK_FALSE(long_fraction.contains("probability_exact"));
  CHECK_FALSE(long_fraction.contains("strings_without_repeat"));
  const std::string down = long_fraction["probability_rounded_down"], up = long_fraction["probability_rounded_up"];
  CHECK(down != up);
  CHECK(std::stod(down) <= long_fraction["probability"].get<double>());
  CHECK(long_fraction["probability"].get<double>() <= std::stod(up));
  const Run text = run("pngram -D 65536 -n 1 -L 274");
  CHECK(text.out.find("p in [" + down + ", " + up + "]") != std::string::npos);
  const auto fits = run_json("pngram -D 65536 -n 1 -L 273");  // one shorter: written out
  CHECK(fits.contains("probability_exact"));
  CHECK_FALSE(fits.contains("probability_rounded_down"));
}

TEST_CASE("bad input: exit 2 and one line on stderr naming the flag") {
  const char* cases[][2] = {
      {"bound --alphabet 2 --length 10 --state-bits 3 --epsilon 1", "--epsilon"},
      {"bound --alphabet 2 --length 10 --state-bits 3 --epsilon 0", "--epsilon"},
      {"bound --alphabet 2 --length 10 --state-bits 3 --epsilon -0.5", "--epsilon"},
      {"bound --alphabet 2 --length 0 --state-bits 3", "--length"},
      {"bound --alphabet 2 --length -3 --state-bits 3", "--length"},
      {"bound --alphabet 0 --length 5 --state-bits 3", "--alphabet"},
      {"bound --alphabet 2 --length 5 --state-bits -1", "--state-bits"},
      {"bound --alphabet 2 --length 5 --state-numbers 0", "--state-numbers"},
      {"bound --alphabet 2 --length 5 --states 0", "--states"},
      {"bound --preset lstm --length 5", "--d-model"},
      {"bound --preset linear-attention --d-model 512 --heads 7 --layers 2 --length 5", "--heads"},
      {"bound --preset s4d --d-model 512 --d-state 3 --layers 2 --length 5", "--d-state"},
      {"bound --preset no-such-model --length 5", "--preset"},
      {"bound --table --alphabet 2 --lengths 10,0", "--lengths"},
      {"pngram --alphabet 2 --ngram 0 --length 5", "--ngram"},
      {"pngram --alphabet 2 --ngram 3 --length 0", "--length"},
      {"pngram --alphabet 2 --ngram 3 --length 30 --enumerate", "--enumerate"},
  };
  for (const auto& [args, flag] : cases) {
    CAPTURE(args);
    const Run r = run(args);
    CHECK(r.exit_code == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.find(flag) != std::string::npos);
    CHECK(r.out.empty());
  }
  const Run unknown = run("bound --preset no-such-model --length 5");
  CHECK(unknown.err.find("presets: mamba-130m") != std::string::npos);  // the list, on that line
}
