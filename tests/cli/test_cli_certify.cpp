// `copyproof certify` from the outside: keys, exit codes, bad input, a tampered weights file
// NOT certified (exit 1, the failing inequality printed), --out, --find-max-length.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "cli_runner.hpp"

using copyproof::testing::run_cli;
using copyproof::testing::slurp;

namespace {

std::string temp_path(const std::string& name) {
  return "/tmp/copyproof_certify_test_" + std::to_string(::getpid()) + "_" + name;
}

// Multiplies the first nonzero float64 of tensor `tensor` in a safetensors file by `factor`.
void scale_first_entry(const std::string& path, const std::string& tensor, double factor) {
  std::string bytes = slurp(path);
  std::uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  const auto header = nlohmann::json::parse(bytes.substr(8, header_size));
  const auto begin = header.at(tensor).at("data_offsets")[0].get<std::size_t>();
  const auto end = header.at(tensor).at("data_offsets")[1].get<std::size_t>();
  for (std::size_t at = 8 + header_size + begin; at < 8 + header_size + end; at += 8) {
    double v = 0;
    std::memcpy(&v, bytes.data() + at, 8);
    if (v == 0) continue;
    v *= factor;
    std::memcpy(bytes.data() + at, &v, 8);
    break;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("certify --json: the documented keys, certified, exit 0") {
  const auto run = run_cli("certify -D 4 -n 8 -L 65543 --json");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  for (const char* key : {"alphabet", "ngram", "max_length", "precision", "d_model", "certified", "inequalities",
                          "min_margin", "weakest", "seconds"})
    CHECK(j.contains(key));
  CHECK_FALSE(j.contains("max_certified_length"));
  CHECK(j["certified"] == true);
  CHECK(j["precision"] == "exact");
  for (const auto& q : j["inequalities"]) {
    for (const char* key : {"name", "step", "lhs", "rhs", "holds", "margin"}) CHECK(q.contains(key));
    CHECK(q["holds"] == true);
  }
}

TEST_CASE("certify: L_max = 1e18 and D = 65536 in well under the time budget; fp32 and int8 verdicts") {
  CHECK(run_cli("certify -D 65536 -n 8 -L 1e18").exit_code == 0);
  CHECK(run_cli("certify -D 4 -n 8 -L 65543 --precision fp32").exit_code == 0);
  const auto int8 = run_cli("certify -D 65536 -n 8 -L 1000 --precision int8");
  CHECK(int8.exit_code == 1);
  CHECK(int8.out.find("int8.range") != std::string::npos);
}

TEST_CASE("certify: bad input names the flag, exit 2") {
  for (const auto& [args, flag] :
       std::vector<std::pair<std::string, std::string>>{{"certify -D 1 -n 3 -L 10", "--alphabet"},
                                                        {"certify -D 4 -n 3 -L 0", "--max-length"},
                                                        {"certify -D 4 -n 3 -L 2e18", "--max-length"},
                                                        {"certify -D 4 -n 3 -L 10 --precision fp8", "--precision"},
                                                        {"certify -D 4 -n 3", "--max-length"},
                                                        {"certify -D 65536 -n 200 -L 10", "--ngram"},
                                                        {"certify --weights /nonexistent.safetensors", "--weights"}}) {
    const auto run = run_cli(args);
    INFO(args << "\n" << run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err_lines() == 1);
    CHECK(run.err.find(flag) != std::string::npos);
  }
}

TEST_CASE("certify --weights: the written model is certified; with lambda scaled down it is NOT (exit 1)") {
  const std::string weights = temp_path("w.safetensors"), cert = temp_path("c.json");
  REQUIRE(run_cli("construct -D 4 -n 3 -L 1000 --weights " + weights).exit_code == 0);
  const auto good = run_cli("certify --weights " + weights + " --out " + cert);
  INFO(good.out << good.err);
  CHECK(good.exit_code == 0);
  CHECK(nlohmann::json::parse(slurp(cert))["certified"] == true);
  scale_first_entry(weights, "layers.1.heads.0.query", 0.2);  // one lambda_c -> lambda_c / 5
  const auto bad = run_cli("certify --weights " + weights + " --json");
  CHECK(bad.exit_code == 1);
  const auto j = nlohmann::json::parse(bad.out);
  CHECK(j["certified"] == false);
  const auto text = run_cli("certify --weights " + weights);
  CHECK(text.exit_code == 1);
  CHECK(text.out.find("FAILS: ") != std::string::npos);
  std::remove(weights.c_str());
  std::remove(cert.c_str());
}

TEST_CASE("certify --find-max-length: the largest certified L_max, certified there") {
  const auto run = run_cli("certify -D 4 -n 6 --precision fp32 --find-max-length --json");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  const auto longest = j["max_certified_length"].get<std::int64_t>();
  CHECK(longest > 1000);
  CHECK(j["max_length"] == longest);
  CHECK(j["certified"] == true);
  CHECK(run_cli("certify -D 4 -n 6 --precision fp32 -L " + std::to_string(longest)).exit_code == 0);
  CHECK(run_cli("certify -D 4 -n 6 --precision fp32 -L " + std::to_string(longest + 1)).exit_code == 1);
}
