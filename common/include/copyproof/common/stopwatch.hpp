#pragma once
// Wall-clock seconds for per-stage timings (verify's stage_seconds, progress ETAs): one
// definition, so every stage is timed with the same clock.

#include <chrono>

namespace copyproof::common {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace copyproof::common
