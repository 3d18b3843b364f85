// plan_verify (verify_plan.hpp): every rejection names its field, and each limit is tested
// on both sides from the header's own constants, so moving a limit moves these tests.
// tests/cli/test_cli_construction.cpp runs the same limits through `copyproof verify`.
#include <doctest/doctest.h>

#include <stdexcept>

#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/verify_plan.hpp"

using namespace copyproof::construction;

namespace {

VerifyRequest small_request() {
  VerifyRequest r;
  r.alphabet = 2;
  r.ngram = 2;
  r.length = 10;
  r.samples = 3;
  return r;
}

// The field plan_verify rejects `r` on (fails the test when it plans it).
VerifyField rejected_field(const VerifyRequest& r, const VerifyEnvironment& env = {}) {
  const VerifyPlanResult result = plan_verify(r, env);
  REQUIRE_MESSAGE(!result.ok(), "planned a request that should be rejected");
  INFO(field_name(result.error->field) << ": " << result.error->message);
  CHECK(!result.error->message.empty());
  CHECK(result.error->message.find('\n') == std::string::npos);
  return result.error->field;
}

VerifyPlan accepted(const VerifyRequest& r, const VerifyEnvironment& env = {}) {
  const VerifyPlanResult result = plan_verify(r, env);
  if (!result.ok()) FAIL(field_name(result.error->field) << ": " << result.error->message);
  return *result.plan;
}

// Largest L with D^L <= kMaxExhaustiveStrings.
std::int64_t longest_exhaustive(int alphabet) {
  std::int64_t length = 0;
  while (power_or_minus_one(alphabet, length + 1, kMaxExhaustiveStrings) >= 0) ++length;
  return length;
}

// A device for the planner, without a GPU: its capability is what the test says.
struct FakeDevice {
  VerifyDevice device;
  explicit FakeDevice(std::uint64_t free_bytes, std::uint64_t needed_bytes) {
    device.name = "fake";
    device.check_supported = [](const CopyTransformer& ct) {
      if (ct.parameters.ngram > 3) throw std::invalid_argument("n > 3 unsupported");
    };
    device.memory_needed = [needed_bytes](const CopyTransformer&, std::int64_t, std::int64_t) { return needed_bytes; };
    device.memory_free = free_bytes;
    device.make_backend = [](const CopyTransformer& ct) { return make_cpu_backend(ct, Precision::int8); };
  }
};

}  // namespace

TEST_CASE("plan_verify: the ranges every request keeps, both sides of each limit") {
  auto with = [](auto change) {
    VerifyRequest r = small_request();
    change(r);
    return r;
  };
  CHECK(rejected_field(with([](VerifyRequest& r) { r.alphabet = 1; })) == VerifyField::alphabet);
  CHECK(rejected_field(with([](VerifyRequest& r) { r.alphabet = kMaxAlphabet + 1; })) == VerifyField::alphabet);
  accepted(with([](VerifyRequest& r) {
    r.alphabet = kMaxAlphabet;
    r.ngram = 1;
  }));
  for (int D : {2, 26, kMaxAlphabet}) {
    accepted(with([D](VerifyRequest& r) {
      r.alphabet = D;
      r.ngram = max_ngram(D);
      r.length = 1;
    }));
    CHECK(rejected_field(with([D](VerifyRequest& r) {
            r.alphabet = D;
            r.ngram = max_ngram(D) + 1;
          })) == VerifyField::ngram);
  }
  CHECK(rejected_field(with([](VerifyRequest& r) { r.ngram = 0; })) == VerifyField::ngram);
  CHECK(rejected_field(with([](VerifyRequest& r) { r.length = 0; })) == VerifyField::length);
  accepted(with([](VerifyRequest& r) {
    r.length = kMaxVerifyLength;
    r.samples = 1;
  }));  // memory unknown: unchecked
  CHECK(rejected_field(with([](VerifyRequest& r) { r.length = kMaxVerifyLength + 1; })) == VerifyField::length);
  accepted(with([](VerifyRequest& r) { r.samples = kMaxVerifySamples; }));
  CHECK(rejected_field(with([](VerifyRequest& r) { r.samples = kMaxVerifySamples + 1; })) == VerifyField::samples);
  CHECK(rejected_field(with([](VerifyRequest& r) { r.samples = 0; })) == VerifyField::samples);
  accepted(with([](VerifyRequest& r) { r.threads = kMaxVerifyThreads; }));
  CHECK(rejected_field(with([](VerifyRequest& r) { r.threads = kMaxVerifyThreads + 1; })) == VerifyField::threads);
  CHECK(rejected_field(with([](VerifyRequest& r) { r.threads = 0; })) == VerifyField::threads);
  accepted(with([](VerifyRequest& r) { r.diagnostic_lambda_scale = 1.0; }));
  CHECK(rejected_field(with([](VerifyRequest& r) { r.diagnostic_lambda_scale = 0.0; })) ==
        VerifyField::diagnostic_lambda_scale);
  CHECK(rejected_field(with([](VerifyRequest& r) { r.max_length = *r.length - 1; })) == VerifyField::max_length);
  CHECK(accepted(with([](VerifyRequest& r) { r.max_length = *r.length; })).max_length == *small_request().length);
}

TEST_CASE("plan_verify: each source's lengths and defaults") {
  VerifyRequest r = small_request();
  r.samples.reset();
  CHECK(accepted(r).strings == kDefaultVerifySamples);
  r.length.reset();
  CHECK(rejected_field(r) == VerifyField::length);  // uniform needs L

  r.source = SourceKind::exhaustive;
  CHECK(rejected_field(r) == VerifyField::length);
  for (int D : {2, 3, 26}) {
    r.alphabet = D;
    r.ngram = 1;
    r.length = longest_exhaustive(D);
    const VerifyPlan plan = accepted(r);
    CHECK(plan.strings == power_or_minus_one(D, *r.length, kMaxExhaustiveStrings));
    r.length = longest_exhaustive(D) + 1;
    CHECK(rejected_field(r) == VerifyField::length);
  }
  r.length = 2;
  r.samples = 4;
  CHECK(rejected_field(r) == VerifyField::samples);  // all D^L run; samples would be ignored

  r = small_request();
  r.source = SourceKind::debruijn;
  r.samples.reset();
  r.length.reset();
  const VerifyPlan b22 = accepted(r);
  CHECK(b22.length == 4 + 2 - 1);  // D^n + n - 1
  CHECK(b22.strings == 1);
  r.length = b22.length;
  accepted(r);
  r.length = b22.length + 1;
  CHECK(rejected_field(r) == VerifyField::length);
  r.length.reset();
  r.ngram = 40;  // 2^40 = kMaxDebruijnPeriod: the largest period planned
  static_assert(kMaxDebruijnPeriod == std::int64_t{1} << 40);
  CHECK(accepted(r).length == kMaxDebruijnPeriod + 40 - 1);
  r.ngram = 41;
  CHECK(rejected_field(r) == VerifyField::ngram);

  r = small_request();
  r.source = SourceKind::planted;
  r.length = r.ngram + 1;
  accepted(r);
  r.length = r.ngram;
  CHECK(rejected_field(r) == VerifyField::length);
}

TEST_CASE("plan_verify: host memory is checked against what the environment offers, exactly") {
  const VerifyRequest r = small_request();
  const VerifyPlan plan = accepted(r);
  CHECK(plan.memory_bytes == verify_memory_bytes(plan.config));
  CHECK(plan.memory_bytes > 0);
  accepted(r, VerifyEnvironment{plan.memory_bytes, nullptr});
  CHECK(rejected_field(r, VerifyEnvironment{plan.memory_bytes - 1, nullptr}) == VerifyField::length);
}

TEST_CASE("plan_verify: a device is asked whether it is usable, supports the model and has room") {
  VerifyRequest r = small_request();
  r.device = true;
  CHECK(rejected_field(r) == VerifyField::device);  // no device in the environment
  FakeDevice fits(1000, 1000);
  const VerifyPlan plan = accepted(r, VerifyEnvironment{0, &fits.device});
  CHECK(plan.config.precision == Precision::int8);  // a device runs int8 unless told otherwise
  CHECK(plan.config.device_forward);
  CHECK(plan.device_memory_bytes == 1000);
  CHECK(plan.backend == "fake-int8");
  CHECK(static_cast<bool>(plan.make_backend));
  r.precision = Precision::int8;
  accepted(r, VerifyEnvironment{0, &fits.device});
  r.precision = Precision::fp32;
  CHECK(rejected_field(r, VerifyEnvironment{0, &fits.device}) == VerifyField::precision);
  r.precision.reset();

  FakeDevice full(999, 1000);
  CHECK(rejected_field(r, VerifyEnvironment{0, &full.device}) == VerifyField::length);
  FakeDevice unusable(1000, 1000);
  unusable.device.unavailable_reason = "unplugged";
  CHECK(rejected_field(r, VerifyEnvironment{0, &unusable.device}) == VerifyField::device);
  r.ngram = 4;  // the fake kernels stop at n = 3
  CHECK(rejected_field(r, VerifyEnvironment{0, &fits.device}) == VerifyField::device);
}

TEST_CASE("plan_verify: the plan is what verify() runs (pairs, backend, strings)") {
  for (Precision p : {Precision::fp32, Precision::fp64, Precision::int8, Precision::bf16}) {
    VerifyRequest r = small_request();
    r.precision = p;
    const VerifyPlan plan = accepted(r);
    const VerifyReport report = verify(plan.config);
    INFO(to_string(p));
    CHECK(report.backend == plan.backend);
    CHECK(static_cast<double>(report.pairs) == plan.layer2_pairs);
    CHECK(report.strings == plan.strings);
    CHECK(report.length == plan.length);
    CHECK(report.pass());
  }
}

TEST_CASE("plan_verify's time estimate counts strings, not only pairs: at fixed pairs it grows with the strings") {
  // a strings of length L1 and b strings of length L2 have the same layer-2 pairs when
  // a = pairs(L2) and b = pairs(L1) (pairs = layer2_pairs_per_string).
  const std::int64_t long_length = 1000, short_length = 4;
  for (const Precision precision : {Precision::fp32, Precision::int8}) {
    VerifyRequest few = small_request(), many = small_request();
    few.precision = many.precision = precision;
    few.length = long_length;
    few.samples = layer2_pairs_per_string(short_length);
    many.length = short_length;
    many.samples = layer2_pairs_per_string(long_length);
    const VerifyPlan a = accepted(few), b = accepted(many);
    INFO("precision " << to_string(precision) << ": " << a.estimated_cpu_seconds << " s for " << a.strings
                      << " strings, " << b.estimated_cpu_seconds << " s for " << b.strings);
    REQUIRE(a.layer2_pairs == b.layer2_pairs);
    CHECK(b.estimated_cpu_seconds > a.estimated_cpu_seconds);
  }
  // A billion strings of 4 tokens: at least the per-string term, which outweighs their pairs.
  VerifyRequest billion = small_request();
  billion.length = short_length;
  billion.samples = 1'000'000'000;
  const VerifyPlan p = accepted(billion);
  CHECK(p.estimated_cpu_seconds >= 1e9 * kCpuSecondsPerString);
  CHECK(p.estimated_cpu_seconds > 2 * p.layer2_pairs / kCpuFloatPairsPerSecond);
  // Threads divide the whole estimate.
  billion.threads = 4;
  CHECK(accepted(billion).estimated_cpu_seconds == doctest::Approx(p.estimated_cpu_seconds / 4).epsilon(1e-12));
}
