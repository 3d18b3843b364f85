#pragma once
// Byte counts for people: "1.5 GiB". One definition for the CLI's messages and the
// library's plans (verify_plan.hpp), so an error and a report say the same size.

#include <cstdio>
#include <string>

namespace copyproof::common {

inline std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

}  // namespace copyproof::common
