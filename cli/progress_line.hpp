#pragma once
// A progress line on stderr for a long run whose first counted unit can come late (verify:
// the model is built and, on the float path, the whole forward runs before any layer-2 pair
// is counted). report(done, total) is the run's own callback; a heartbeat thread prints the
// same line, with the last counts known, whenever nothing was printed for one period, so a
// run that is building or computing still says so. On a terminal the line is redrawn in
// place; otherwise one line per period. Nothing is printed before `quiet_s`.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

namespace copyproof::cli {

struct ProgressTiming {
  double quiet_s = 3;            // no line for runs shorter than this
  double line_period_s = 15;     // not on a terminal: at most one line per period
  double redraw_period_s = 0.5;  // on a terminal: redraws at most this often
};

class ProgressLine {
 public:
  // `what` names the run ("verify"), `unit` the counted thing ("layer-2 pairs"), `before`
  // what the run does before it counts the first one ("setup and forward").
  ProgressLine(std::string what, std::string unit, std::string before, bool on_terminal, std::FILE* out = stderr,
               ProgressTiming timing = {});
  ~ProgressLine();  // stops the heartbeat, ends a redrawn line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void report(std::int64_t done, std::int64_t total);  // thread-safe
  void finish();                                       // no more lines; ends a redrawn line (idempotent)

 private:
  double elapsed() const;
  void print_locked(double now);
  void heartbeat(std::stop_token stop);

  const std::string what_, unit_, before_;
  const bool on_terminal_;
  std::FILE* const out_;
  const ProgressTiming timing_;
  const std::chrono::steady_clock::time_point start_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool finished_ = false;
  double last_print_ = -1;  // elapsed seconds at the last line, -1 before any
  std::int64_t done_ = 0, total_ = 0;
  double first_time_ = -1;  // when the first unit was counted: the ETA's rate starts there
  std::int64_t first_done_ = 0;
  std::jthread heartbeat_;  // last member: started after the state above exists
};

}  // namespace copyproof::cli
