// What `verify --device gpu` plans before it starts: the host keeps per-output rows and
// the reference tables, never the stream (construction::verify_memory_bytes with
// device_forward), so B(4,12) no longer asks for the CPU forward's tens of gigabytes.

#include <doctest/doctest.h>

#include "copyproof/construction/verifier.hpp"

namespace cx = copyproof::construction;

TEST_CASE("host memory for a device forward: below the CPU forward's plan, above what it downloads") {
  cx::VerifyConfig c;
  c.alphabet = 4;
  c.ngram = 12;
  c.source = cx::SourceKind::debruijn;
  const double cpu = static_cast<double>(cx::verify_memory_bytes(c));
  c.device_forward = true;
  const double gpu = static_cast<double>(cx::verify_memory_bytes(c));
  const double outputs = 16777216.0 + 12;  // L + 1 = 4^12 + 12 - 1 + 1
  const double d_model = (2 * 12 + 1) * 3 + 3;
  CHECK(gpu > outputs * d_model * 4);  // the float32 rows at the outputs alone
  CHECK(gpu < 20e9);                   // 16.8 GB by the plan's terms (docs/gpu.md)
  CHECK(gpu < cpu / 3);
}
