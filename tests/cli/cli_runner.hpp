#pragma once
// Runs the built copyproof binary (COPYPROOF_BINARY, set by tests/CMakeLists.txt) and
// captures its exit code, stdout and stderr, for tests of the command line.

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace copyproof::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  int err_lines() const {
    int lines = 0;
    for (char c : err) lines += c == '\n' ? 1 : 0;
    return lines;
  }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `args` is passed through the shell: quote as you would there.
inline CliRun run_cli(const std::string& args) {
  static int counter = 0;
  const std::string base = "/tmp/copyproof_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const std::string command = std::string(COPYPROOF_BINARY) + " " + args + " >" + base + ".out 2>" + base + ".err";
  const int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(base + ".out");
  run.err = slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return run;
}

}  // namespace copyproof::testing
