#pragma once
// A claim of `copyproof check`: an id, the statement it checks, and a function that
// checks it and returns PASS/FAIL with its numbers. Each area contributes its claims
// through one function below; adding a claim is adding one entry to such a list.

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace copyproof::cli {

struct ClaimResult {
  bool pass = false;
  std::string summary;     // one line of numbers, printed after PASS/FAIL
  nlohmann::json numbers;  // the same numbers for --json
};

struct ClaimContext {
  int threads = 1;
};

struct Claim {
  std::string id;         // short, stable: "debruijn-2-12"
  std::string statement;  // what is claimed, in words
  std::function<ClaimResult(const ClaimContext&)> check;
};

std::vector<Claim> construction_claims();  // check/construction_claims.cpp
std::vector<Claim> bounds_claims();        // check/bounds_claims.cpp
std::vector<Claim> certificate_claims();   // check/certificate_claims.cpp

}  // namespace copyproof::cli
