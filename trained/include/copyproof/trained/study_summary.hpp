#pragma once
// What a study's result files say, computed from the files alone (docs/trained.md and the
// figures are built from this): per group of runs that differ only in seed, means with
// 95% Student-t intervals across seeds; for the state sweep, each model's longest copied
// length against Theorem 2.7's limit for its state.

#include <copyproof/trained/study.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace copyproof::trained {

// Mean of n values and the two-sided 95% Student-t interval mean +- t_{0.975, n-1} s / sqrt(n)
// (s the sample standard deviation): the interval for the mean across seeds, assuming the
// per-seed values are roughly normal. With 3 seeds t = 4.30, so the interval is wide.
// No interval for n < 2 (low/high empty).
//
// The interval is clipped to [floor, ceiling], the values the quantity can take (an
// accuracy: [0, 1]). Why that is sound: the true mean lies in that range, so every
// interval that covered it still covers it after clipping: the coverage stays 95% (as
// far as the t-interval's normality assumption gives it), and no impossible bound (an
// accuracy of -5.8) is printed. It does not make the interval any less wide where it
// can be wide: two seeds at 0 and 1 still give [0, 1].
struct MeanInterval {
  int n = 0;
  double mean = 0;
  std::optional<double> low, high;
};
inline constexpr double kUnbounded = 1e308;
MeanInterval mean_t95(const std::vector<double>& values, double floor = -kUnbounded, double ceiling = kUnbounded);
// An accuracy's interval: clipped to [0, 1].
inline MeanInterval accuracy_mean_t95(const std::vector<double>& values) { return mean_t95(values, 0.0, 1.0); }

// Examples seen (step x batch) at the first eval point of a train --log file whose string
// accuracy is >= threshold; empty when no point reaches it.
std::optional<std::int64_t> examples_to_reach(const std::filesystem::path& train_log, double threshold, int batch);

// Longest evaluated length whose string accuracy is >= 1/2 (0 when none), from an
// eval --json object.
int longest_copied_length(const nlohmann::json& eval);

// Theorem 2.7 at error 1/2: the longest L at which a model with `bits` bits of state can
// still copy with string accuracy >= 1/2 over `alphabet` letters, i.e. the largest L with
// 1 - 2^bits / D^L < 1/2 (ssm_bounds::max_copy_length).
std::int64_t bound_longest_length(std::int64_t bits, int alphabet);

// The summary of one study from <data>/<study>/ (finished runs only; the rest are listed
// as missing). Throws std::runtime_error naming a file that cannot be read.
nlohmann::json study_summary(const Study& study, const std::filesystem::path& data_dir);

}  // namespace copyproof::trained
