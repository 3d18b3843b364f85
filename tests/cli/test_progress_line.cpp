// The progress line of long runs (cli/progress_line.hpp): the heartbeat speaks before the
// first counted unit, the ETA line once units are counted, nothing during the quiet start
// or after finish(), and a redrawn terminal line is ended with a newline.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "cli_runner.hpp"
#include "progress_line.hpp"

using copyproof::cli::ProgressLine;
using copyproof::cli::ProgressTiming;
using copyproof::testing::slurp;

namespace {

struct Sink {
  std::string path = "/tmp/copyproof_progress_test_" + std::to_string(::getpid());
  std::FILE* out = std::fopen(path.c_str(), "w");
  ~Sink() {
    std::fclose(out);
    std::remove(path.c_str());
  }
  std::string text() const { return slurp(path); }
  // Waits (up to 20 s: a stalled machine, never a broken test) until `needle` was written.
  bool wait_for(const std::string& needle) const {
    for (int i = 0; i < 2000; ++i) {
      if (text().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

constexpr ProgressTiming kFast{0, 0.02, 0.02};  // no quiet start, a line every 20 ms

}  // namespace

TEST_CASE("progress line: the heartbeat says what the run does before the first unit is counted") {
  Sink sink;
  ProgressLine line("verify", "layer-2 pairs", "building the model", false, sink.out, kFast);
  // No report at all: only the heartbeat can write this. The seconds are not matched: on a
  // loaded machine the first beat may come after half a second and say "1 s".
  CHECK(sink.wait_for("verify: building the model, "));
  line.finish();
  const std::string after = sink.text();
  CHECK(after.starts_with("verify: building the model, "));
  CHECK(after.find(" s elapsed\n") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(sink.text() == after);  // finish() stopped the heartbeat
}

TEST_CASE("progress line: counted units give the fraction and an ETA; none after done == total") {
  Sink sink;
  ProgressLine line("verify", "layer-2 pairs", "setup", false, sink.out, kFast);
  line.report(10, 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  line.report(50, 100);
  CHECK(sink.wait_for("verify:  50.0% of layer-2 pairs, "));
  CHECK(sink.text().find("ETA") != std::string::npos);
  line.report(100, 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  const std::string done = sink.text();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(sink.text() == done);  // a finished run is not redrawn by the heartbeat
}

TEST_CASE("progress line: nothing during the quiet start") {
  Sink sink;
  {
    ProgressLine line("verify", "layer-2 pairs", "setup", false, sink.out, ProgressTiming{3600, 0.01, 0.01});
    line.report(1, 100);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    line.report(2, 100);
  }
  CHECK(sink.text().empty());
}

TEST_CASE("progress line: on a terminal the line is redrawn in place and ended by finish()") {
  Sink sink;
  ProgressLine line("verify", "layer-2 pairs", "setup", true, sink.out, kFast);
  CHECK(sink.wait_for("\rverify: setup, "));
  line.finish();
  const std::string text = sink.text();
  REQUIRE_FALSE(text.empty());
  CHECK(text.back() == '\n');
  CHECK(text.find('\n') == text.size() - 1);  // one line, redrawn
}
