#include "progress_line.hpp"

#include <utility>

namespace copyproof::cli {

ProgressLine::ProgressLine(std::string what, std::string unit, std::string before, bool on_terminal, std::FILE* out,
                           ProgressTiming timing)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      before_(std::move(before)),
      on_terminal_(on_terminal),
      out_(out),
      timing_(timing),
      start_(std::chrono::steady_clock::now()),
      heartbeat_([this](std::stop_token stop) { heartbeat(stop); }) {}

ProgressLine::~ProgressLine() { finish(); }

double ProgressLine::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressLine::report(std::int64_t done, std::int64_t total) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  const double now = elapsed();
  if (done > 0 && first_time_ < 0) {
    first_time_ = now;
    first_done_ = done;
  }
  done_ = done;
  total_ = total;
  print_locked(now);
}

void ProgressLine::finish() {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    if (on_terminal_ && last_print_ >= 0) {
      std::fprintf(out_, "\n");
      std::fflush(out_);
    }
  }
  heartbeat_.request_stop();  // wakes the heartbeat's wait
  if (heartbeat_.joinable()) heartbeat_.join();
}

// Prints the line if the run is past its quiet start and the period since the last line has
// passed. With a rate (units counted since the first) it gives the fraction and an ETA;
// before the first unit it says what the run is doing.
void ProgressLine::print_locked(double now) {
  if (finished_ || (total_ > 0 && done_ >= total_)) return;
  const double period = on_terminal_ ? timing_.redraw_period_s : timing_.line_period_s;
  if (now < timing_.quiet_s || (last_print_ >= 0 && now - last_print_ < period)) return;
  last_print_ = now;
  const char* lead = on_terminal_ ? "\r" : "";
  const char* tail = on_terminal_ ? "\033[K" : "\n";  // on a terminal: erase what a longer line left
  const double rate =
      first_time_ >= 0 && now > first_time_ ? static_cast<double>(done_ - first_done_) / (now - first_time_) : 0;
  if (total_ > 0 && rate > 0)
    std::fprintf(out_, "%s%s: %5.1f%% of %s, %.0f s elapsed, ETA %.0f s%s", lead, what_.c_str(),
                 100 * static_cast<double>(done_) / static_cast<double>(total_), unit_.c_str(), now,
                 static_cast<double>(total_ - done_) / rate, tail);
  else
    std::fprintf(out_, "%s%s: %s, %.0f s elapsed%s", lead, what_.c_str(), before_.c_str(), now, tail);
  std::fflush(out_);
}

void ProgressLine::heartbeat(std::stop_token stop) {
  const double period = on_terminal_ ? timing_.redraw_period_s : timing_.line_period_s;
  const auto step = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(period > 0.01 ? period : 0.01));
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    // Wakes once a period, or at once on stop; print_locked decides whether a line is due.
    wake_.wait_for(lock, stop, step, [] { return false; });
    if (stop.stop_requested()) return;
    print_locked(elapsed());
  }
}

}  // namespace copyproof::cli
