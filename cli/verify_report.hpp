#pragma once
// Text and JSON forms of a VerifyReport (docs/cli.md lists every key).

#include <nlohmann/json.hpp>

#include "copyproof/construction/verifier.hpp"

namespace copyproof::cli {

nlohmann::json verify_report_json(const construction::VerifyReport& report);
void print_verify_report(const construction::VerifyReport& report);
// "sample 3, prediction k=17: expected 'c', got 'a' (2 keys match); input ...": one line.
std::string describe_counterexample(const construction::Counterexample& c, int alphabet);

}  // namespace copyproof::cli
