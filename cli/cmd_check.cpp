// `copyproof check`: the main job. Runs every claim of the suite on embedded defaults
// and prints one PASS/FAIL line per claim with its numbers; exit 1 if any fails.

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "check/claim.hpp"
#include "cli_support.hpp"
#include "commands.hpp"

namespace copyproof::cli {
namespace {

std::vector<Claim> all_claims() {
  std::vector<Claim> claims;
  for (auto&& list : {construction_claims(), bounds_claims(), certificate_claims()})
    for (auto& claim : list) claims.push_back(claim);
  return claims;
}

struct CheckOptions {
  bool json = false;
  bool list = false;
  std::vector<std::string> only;
  int threads = default_threads();
};

int run_check(const CheckOptions& options) {
  const std::vector<Claim> claims = all_claims();
  for (const auto& id : options.only) {
    bool known = false;
    for (const auto& c : claims) known = known || c.id == id;
    if (!known) throw UsageError("--only: unknown claim '" + id + "'; `copyproof check --list` shows the ids");
  }
  if (options.list) {
    for (const auto& c : claims) std::cout << c.id << "  " << c.statement << "\n";
    return kExitPass;
  }

  nlohmann::json results = nlohmann::json::array();
  int failed = 0;
  const ClaimContext context{options.threads};
  for (const auto& claim : claims) {
    if (!options.only.empty() && std::find(options.only.begin(), options.only.end(), claim.id) == options.only.end())
      continue;
    const auto start = std::chrono::steady_clock::now();
    const ClaimResult result = claim.check(context);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    failed += result.pass ? 0 : 1;
    if (options.json) {
      results.push_back({{"id", claim.id},
                         {"statement", claim.statement},
                         {"pass", result.pass},
                         {"summary", result.summary},
                         {"numbers", result.numbers},
                         {"seconds", seconds}});
    } else {
      std::printf("%s  %-24s %s\n      %s  [%.2f s]\n", result.pass ? "PASS" : "FAIL", claim.id.c_str(),
                  claim.statement.c_str(), result.summary.c_str(), seconds);
      std::fflush(stdout);
    }
  }
  const int checked = options.json ? static_cast<int>(results.size()) : -1;
  if (options.json) {
    print_json({{"claims", results}, {"passed", checked - failed}, {"failed", failed}, {"threads", options.threads}});
  } else {
    std::printf("%s: %d claim(s) failed\n", failed == 0 ? "ALL PASS" : "FAIL", failed);
  }
  return failed == 0 ? kExitPass : kExitFail;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand("check", "Check every claim of the suite on embedded defaults (PASS/FAIL per claim)");
  cmd->add_flag("--json", options->json, "Print one JSON object instead of the report");
  cmd->add_flag("--list", options->list, "List the claim ids and statements, check nothing");
  cmd->add_option("--only", options->only, "Check only these claim ids (repeatable)");
  add_integer_option(*cmd, "--threads", options->threads, 1, 1024, "Worker threads (default: all cores)");
  cmd->footer(example_footer("copyproof check --only debruijn-2-12 --json"));
  cmd->callback([options, &exit_code] { exit_code = run_check(*options); });
}

}  // namespace copyproof::cli
