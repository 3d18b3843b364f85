// Valid input never aborts (issue 17): every subcommand at the corners of its valid
// ranges (smallest and largest alphabet and n-gram, L = 1, the largest lengths and counts
// the flags admit where a run stays cheap, the edges of the exact methods' limits) must end
// with exit 0 (claims hold) or 1 (a claim failed, reported), never a signal, never exit 2
// or 3. Expensive corners live in a second test labelled no-sanitizer.

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using copyproof::testing::run_cli;

namespace {

std::string scratch_dir() {
  static const std::string dir = [] {
    const std::string d = (fs::temp_directory_path() / ("copyproof_corners_" + std::to_string(::getpid()))).string();
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

void check_runs(const std::string& args) {
  const auto run = run_cli(args);
  CAPTURE(args);
  CAPTURE(run.err);
  // run_cli goes through the shell: a signal shows as 128 + its number (134 = SIGABRT).
  CHECK((run.exit_code == 0 || run.exit_code == 1));
}

}  // namespace

TEST_CASE("valid corners: construct, copy, bound, pngram, check") {
  const std::vector<std::string> cases = {
      "construct -D 2 -n 1 -L 1",
      "construct -D 65536 -n 1 -L 1",
      "construct -D 65536 -n 119 -L 1",        // largest n for D = 65536: (2n + 1) 17 + 3 <= 4096
      "construct -D 2 -n 1 -L 1099511627776",  // the largest --max-length, 2^40
      "construct -D 2 -n 1 -L 1 --json --weights " + scratch_dir() + "/w.safetensors",
      "copy -D 2 -n 1 a",
      "copy -D 2 -n 1 -L 1099511627776 ab",
      "copy -D 26 -n 1 z",
      "copy -D 26 -n 3 --precision fp64 abcabc",
      "copy -D 27 -n 1 26",
      "copy -D 65536 -n 1 '65535 0 65535'",
      "bound -D 2 -L 1 --state-bits 0",
      "bound -D 65536 -L 1e18 --state-bits 1e18",
      "bound -D 2 -L 1e18 --states " + std::string(3999, '9'),
      "bound -D 2 -L 10 --state-numbers 1e17 --bits-per-number 64",
      "bound -D 2 -L 10 --state-numbers 1 --bits-per-number 1 --epsilon 0.000001",
      "bound -D 2 -L 10 --state-bits 3 --epsilon 0.999999",
      "bound --table -D 2 --lengths 1,1e18 --json",
      "bound --table -D 65536 --lengths 1,1e18",
      "bound --preset mamba-130m -L 1",
      "bound --list-presets --json",
      "pngram -D 2 -n 1 -L 1",
      "pngram -D 2 -n 1 -L 3 --exact",
      "pngram -D 65536 -n 1048576 -L 5",  // largest n
      // Were a segfault (D^L of 2^36 bits, formed for p = 1) and a run of minutes (D^L's 16.7
      // million bits written in decimal, for p = 0) until the closed forms stopped forming D^L.
      "pngram -D 65536 -n 1 -L 4294967296",      // largest D and L: pigeonhole, p = 1
      "pngram -D 65536 -n 1048576 -L 1048576",   // largest n at L = n: p = 0
      "pngram -D 2 -n 1 -L 4294967296 --exact",  // largest L, smallest D
      "pngram -D 65536 -n 1 -L 4096 --json",     // n = 1: a fraction past the write-out limit
      "pngram -D 65536 -n 1 -L 1 --enumerate --json",
      "pngram -D 2 -n 3 -L 12 --samples 1 --seed 9223372036854775807",
      "check --list",
  };
  for (const auto& c : cases) check_runs(c);
}

TEST_CASE("valid corners: certify, figures, study") {
  const std::string data = std::string(COPYPROOF_SOURCE_DIR) + "/docs/results/data";  // the committed study results
  // A study with no finished run: an empty result directory, not a study whose results are
  // not committed yet (that one stops being the corner once its runs are committed).
  const std::string no_runs = scratch_dir() + "/no-runs";
  fs::create_directories(no_runs);
  const std::vector<std::string> cases = {
      "certify -D 2 -n 1 -L 1",
      "certify -D 2 -n 1 -L 1e18",  // the largest --max-length
      "certify -D 65536 -n 1 -L 1",
      "certify -D 2 -n 1 --find-max-length",
      "certify -D 2 -n 1 -L 1 --precision int8",
      "certify -D 2 -n 1 -L 1 --precision fp16 --json --out " + scratch_dir() + "/c.json",
      "construct -D 3 -n 1 -L 4 --weights " + scratch_dir() + "/w3.safetensors",
      "certify --weights " + scratch_dir() + "/w3.safetensors --precision bf16",
      "figures --list",
      "study",
      "study smoke --list",
      "study copy-seeds --summary --data " + data,
      "study pigeonhole --summary --json --data " + data,
      "study state-sweep --summary --data " + data,
      "study positional --summary --data " + data,  // every group with three seeds
      "study lookup --summary --data " + no_runs,   // no finished run: every group missing
  };
  for (const auto& c : cases) check_runs(c);
  // The empty directory really is the no-run corner: every group of the study is reported missing.
  const auto empty = run_cli("study lookup --summary --data " + no_runs);
  CHECK(empty.exit_code == 0);
  int groups = 0;
  for (std::size_t at = empty.out.find(" finished, "); at != std::string::npos;
       at = empty.out.find(" finished, ", at + 1), ++groups)
    CHECK(empty.out.compare(at - 3, 3, ": 0") == 0);  // "<group>: 0 finished, 2 missing"
  CHECK(groups > 0);
}

TEST_CASE("valid corners: verify") {
  const std::vector<std::string> cases = {
      "verify -D 2 -n 1 -L 1 --samples 1",
      "verify -D 2 -n 1 -L 1 --source exhaustive",
      "verify -D 2 -n 1 --source debruijn",
      "verify -D 2 -n 1 -L 2 --source planted --samples 1",
      "verify -D 65536 -n 1 -L 1 --samples 1 --precision fp64",
      "verify -D 3 -n 2 -L 8 --samples 2 --precision int8",
      "verify -D 2 -n 1 -L 3 --samples 1 --threads 1024 --seed 9223372036854775807",
  };
  for (const auto& c : cases) check_runs(c);
}

// Was an abort (exit 134) until branch `exact` was merged: int8 with n * b > 127 (here
// n = 64, b = 2) threw std::invalid_argument out of the worker threads.
TEST_CASE("valid corners: verify --precision int8 with n * b > 127") {
  check_runs("verify -D 2 -n 64 -L 130 --samples 1 --precision int8");
}

TEST_CASE("valid corners: bound reads decimals with a leading zero exactly") {
  // Found by the fuzz campaign's differential check: "0.10" was read as octal 010 = 8,
  // i.e. 2/25, and "0.9" (octal 09) escaped as an internal error (exit 3).
  const auto run = run_cli("bound -D 2 -L 10 --state-bits 0.10 --epsilon 0.9 --json");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("\"log2_states\": \"1/10\"") != std::string::npos);
}

TEST_CASE("valid corners: train and eval, smallest models and lengths") {
  // (--lengths 100000, the longest eval, and pngram --enumerate at its edge D^L = 2^20
  // take seconds: they are in test_cli_valid_corners_slow, labelled no-sanitizer.)
  const std::string dir = scratch_dir();
  const std::vector<std::pair<std::string, std::string>> models = {
      {"lstm", "--model lstm --layers 1 --width 1"},
      {"mamba", "--model mamba --layers 1 --width 1 --state-dim 1"},
      {"transformer", "--model transformer --layers 1 --width 1 --heads 1 --pos nope"},
      {"rope", "--model transformer --layers 1 --width 2 --heads 1 --pos rope"},
  };
  for (const auto& [name, flags] : models) {
    const std::string ck = dir + "/" + name + ".safetensors";
    check_runs("train " + flags +
               " --task copy --steps 1 --batch 1 --min-length 1 --max-length 1 --eval-every 1 "
               "--eval-samples 1 --threads 1 --out " +
               ck);
    check_runs("eval --checkpoint " + ck + " --lengths 1 --samples 1 --threads 1");
    check_runs("eval --checkpoint " + ck +
               " --lengths 2,3 --samples 1 --task dup --ngram 1 --seed 9223372036854775807");
    if (name == "lstm" || name == "mamba") {  // a fixed state: quantized at both ends of [1, 16] bits
      check_runs("eval --checkpoint " + ck + " --lengths 1 --samples 1 --threads 1 --quantize-state 1,16");
      check_runs("eval --checkpoint " + ck + " --lengths 1 --samples 1 --threads 1 --pigeonhole 1,16");
    }
  }
  check_runs(
      "train --model lstm --layers 1 --width 1 --task suffix --ngram 64 --steps 1 --batch 1 --min-length 65 "
      "--max-length 65 --eval-every 0 --out " +
      dir + "/suffix.safetensors");
  // prefix/suffix at their longest strings, 26^n (tasks.hpp: max_string_length).
  check_runs(
      "train --model lstm --layers 1 --width 1 --task prefix --ngram 1 --steps 1 --batch 8 --min-length 26 "
      "--max-length 26 --eval-every 1 --eval-samples 64 --threads 1 --out " +
      dir + "/prefix1.safetensors");
  check_runs("eval --checkpoint " + dir + "/prefix1.safetensors --task suffix --ngram 2 --lengths 676 --samples 4");
  fs::remove_all(dir);
}

TEST_CASE("valid corners: train --alphabet at both ends of [2, 26]; eval and --pigeonhole over it") {
  const std::string dir = scratch_dir();
  fs::create_directories(dir);  // (an earlier case removes it)
  for (const char* d : {"2", "26"}) {
    const std::string ck = dir + "/alphabet" + d + ".safetensors";
    check_runs(std::string("train --model lstm --layers 1 --width 1 --task copy --alphabet ") + d +
               " --steps 1 --batch 1 --min-length 1 --max-length 1 --eval-every 1 --eval-samples 1 --threads 1 "
               "--out " +
               ck);
    check_runs("eval --checkpoint " + ck + " --lengths 1 --samples 1 --threads 1");
    check_runs("eval --checkpoint " + ck + " --lengths 2,3 --samples 1 --task dup --ngram 1");
    check_runs("eval --checkpoint " + ck + " --lengths 1 --samples 1 --quantize-state 1");
    // The longest enumeration each alphabet allows (2^18 strings over 2 is the slow edge: 2^12 here).
    check_runs("eval --checkpoint " + ck + " --lengths " + (d == std::string("2") ? "12" : "1") + " --pigeonhole 1");
  }
  check_runs(
      "train --model lstm --layers 1 --width 1 --task dup --ngram 1 --alphabet 2 --steps 1 --batch 1 "
      "--min-length 2 --max-length 2 --eval-every 0 --out " +
      dir + "/dup2.safetensors");
  fs::remove_all(dir);
}

TEST_CASE("valid corners (slow): the longest eval and the enumeration's edge" *
          doctest::skip(std::getenv("COPYPROOF_SLOW_CORNERS") == nullptr)) {
  const std::string dir = scratch_dir();
  const std::string ck = dir + "/slow.safetensors";
  check_runs(
      "train --model lstm --layers 1 --width 1 --task copy --steps 1 --batch 1 --min-length 1 --max-length 1 "
      "--eval-every 0 --threads 1 --out " +
      ck);
  check_runs("eval --checkpoint " + ck + " --lengths 100000 --samples 1 --threads 1");
  check_runs("pngram -D 2 -n 1 -L 20 --enumerate");  // D^L = 2^20
  check_runs("pngram -D 65536 -n 1 -L 65536");       // n = 1's largest fraction: 2^20 bits (7 s, a binary gcd)
  fs::remove_all(dir);
}
