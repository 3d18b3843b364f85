// The trained figures' statistics (figures/src/trained_data.hpp): the mean over seeds with
// a Student-t 95% interval, the single-seed Wilson fallback, clipping to [0, 1], and the
// study loader's order and its refusal of broken JSON.

#include <doctest/doctest.h>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "../../figures/src/trained_data.hpp"

using copyproof::figures::load_study;
using copyproof::figures::mean_over_seeds;

TEST_CASE("mean over seeds: Student t with k - 1 degrees of freedom") {
  // k = 3, mean 0.9, s = 0.1, t_{0.975, 2} = 4.302652729911275: half-width 0.248414...
  const auto m = mean_over_seeds({0.8, 0.9, 1.0}, 100);
  CHECK(m.seeds == 3);
  CHECK(m.interval == "t-95-over-seeds");
  CHECK(m.mean == doctest::Approx(0.9).epsilon(1e-12));
  CHECK(m.low == doctest::Approx(0.9 - 4.302652729911275 * 0.1 / std::sqrt(3.0)).epsilon(1e-9));
  CHECK(m.high == 1.0);  // 1.148 clipped: an accuracy is at most 1
  // k = 4 around 0.5: nothing to clip; t_{0.975, 3} = 3.182446305284263.
  const auto w = mean_over_seeds({0.4, 0.5, 0.5, 0.6}, 100);
  const double s = std::sqrt(0.02 / 3);
  CHECK(w.low == doctest::Approx(0.5 - 3.182446305284263 * s / 2).epsilon(1e-9));
  CHECK(w.high == doctest::Approx(0.5 + 3.182446305284263 * s / 2).epsilon(1e-9));
}

TEST_CASE("mean over seeds: one seed gets the Wilson interval of its binomial") {
  // 50 of 100: Wilson 95% = 0.5 -+ 0.0962... (z = 1.959963984540054)
  const auto m = mean_over_seeds({0.5}, 100);
  CHECK(m.interval == "wilson-95-one-seed");
  const double z = 1.959963984540054, n = 100, p = 0.5;
  const double half = z / (1 + z * z / n) * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n));
  CHECK(m.low == doctest::Approx(0.5 - half).epsilon(1e-9));
  CHECK(m.high == doctest::Approx(0.5 + half).epsilon(1e-9));
}

TEST_CASE("load_study: runs in model order then seed; a broken file is named, a missing study is empty") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("copyproof_study_test_" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto write = [](const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  };
  write(root / "s/b/config.json", R"({"model": "lstm", "seed": 1})");
  write(root / "s/a/config.json", R"({"model": "transformer", "seed": 2})");
  write(root / "s/c/config.json", R"({"model": "transformer", "seed": 1})");
  const auto runs = load_study(root, "s");
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].model == "transformer");
  CHECK(runs[0].seed == 1);
  CHECK(runs[1].seed == 2);
  CHECK(runs[2].model == "lstm");
  CHECK(load_study(root, "absent").empty());
  write(root / "s/c/eval.json", "{not json");
  CHECK_THROWS_WITH_AS(load_study(root, "s"), doctest::Contains("eval.json"), std::runtime_error);
  fs::remove_all(root);
}
