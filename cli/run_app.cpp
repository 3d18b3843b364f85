#include "run_app.hpp"

#include <algorithm>
#include <exception>
#include <new>

#include "cli_support.hpp"

namespace copyproof::cli {

namespace {
thread_local JsonCapture* active_capture = nullptr;
}  // namespace

JsonCapture::JsonCapture() : previous_(active_capture) { active_capture = this; }
JsonCapture::~JsonCapture() { active_capture = previous_; }

bool capture_json(const nlohmann::json& object) {
  if (!active_capture) return false;
  active_capture->value_ = object;
  return true;
}

AppOutcome run_app(CLI::App& app, std::vector<std::string> args, const int& exit_code) {
  // CLI11 reports an unknown first word as "A subcommand is required"; name it instead.
  if (!args.empty() && !args.front().empty() && args.front()[0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found = found || sub->check_name(args.front());
    }
    if (!found) return {kExitUsage, "unknown subcommand '" + args.front() + "' (one of: " + known + ")"};
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last-first
  try {
    app.parse(args);
  } catch (const CLI::Success& e) {  // --help, --version
    return {app.exit(e), ""};
  } catch (const CLI::ParseError& e) {
    return {kExitUsage, std::string(e.what()) + " (see --help)"};
  } catch (const UsageError& e) {
    return {kExitUsage, e.what()};
  } catch (const std::bad_alloc&) {
    return {kExitUsage, "out of memory; try a smaller --length or --samples"};
  } catch (const std::exception& e) {
    return {kExitInternal, std::string("internal error: ") + e.what()};
  }
  return {exit_code, ""};
}

}  // namespace copyproof::cli
