#include "copyproof/construction/verifier.hpp"
#include "copyproof/common/stopwatch.hpp"

#include "copyproof/construction/level_softmax.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>

#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/exact_copy_forward.hpp"
#include "copyproof/construction/hash_copy.hpp"
#include "copyproof/construction/verify_plan.hpp"

namespace copyproof::construction {

double lemma_bound(int alphabet, int ngram, std::int64_t length) {
  // min(1, C(s, 2) D^-n) with s = L - n + 1 n-gram starts, in long double (x86-64: a 64-bit
  // significand, exponents down to 2^-16382, so D^-n neither under- nor overflows for the
  // models the construction builds, where n log2 D <= n b <= kMaxDModel / 2). s and s - 1 < 2^63 are exact; s (s - 1)
  // is one rounding, / 2 exact, D^-n (powl) within an ulp, the product one rounding: under 2^-61 relative in all, so
  // the final rounding to double gives the exact value rounded, or its neighbour when the exact value lies within 2^-61
  // of a midpoint. ssm_bounds holds the exact rational (lemma_bound_pairs); tests/ssm_bounds/test_ngram_probability.cpp
  // ties the two.
  static_assert(std::numeric_limits<long double>::digits >= 64, "the error budget above needs x87 long double");
  const std::int64_t starts = length - ngram + 1;
  if (starts < 2) return 0.0;
  const long double s = static_cast<long double>(starts);
  const long double pairs = s * (s - 1) / 2;
  const long double bound = pairs * std::pow(static_cast<long double>(alphabet), -static_cast<long double>(ngram));
  return bound >= 1.0L ? 1.0 : static_cast<double>(bound);
}

std::int64_t source_length(const VerifyConfig& c) {
  if (c.source != SourceKind::debruijn) return c.length;
  const std::int64_t period = power_or_minus_one(c.alphabet, c.ngram, kMaxDebruijnPeriod);
  if (period < 0) throw std::invalid_argument("de Bruijn: D^n too large");
  return period + c.ngram - 1;
}

std::int64_t model_max_length(const VerifyConfig& c) {
  const std::int64_t length = source_length(c);
  if (c.max_length == 0) return length;
  if (c.max_length < length)
    throw std::invalid_argument("max_length " + std::to_string(c.max_length) + " is below the strings' length " +
                                std::to_string(length));
  return c.max_length;
}

std::int64_t source_count(const VerifyConfig& c) {
  if (c.source != SourceKind::exhaustive) return c.samples;
  const std::int64_t count = power_or_minus_one(c.alphabet, c.length, kMaxVerifyLength);
  if (count < 0) throw std::invalid_argument("exhaustive: D^L too large to enumerate");
  return count;
}

namespace {

constexpr std::int64_t kShortString = 2048;  // below this, threads split samples, not one forward

std::unique_ptr<StringSource> make_source(const VerifyConfig& c) {
  switch (c.source) {
    case SourceKind::uniform: return uniform_source(c.alphabet, c.length, c.samples, c.seed);
    case SourceKind::debruijn: return debruijn_source(c.alphabet, c.ngram, c.samples, c.seed);
    case SourceKind::planted: return planted_source(c.alphabet, c.ngram, c.length, c.samples, c.seed);
    case SourceKind::exhaustive: return exhaustive_source(c.alphabet, c.length);
  }
  throw std::invalid_argument("unknown source");
}

// Parallel runs pick "the first" counterexample by sample index, so results do not
// depend on the thread count.
void keep_first(std::optional<Counterexample>& mine, const std::optional<Counterexample>& other) {
  if (other && (!mine || other->sample < mine->sample)) mine = other;
}

struct Tally {
  std::int64_t copied = 0, with_repeat = 0, violations = 0, disagreements = 0, unique = 0, pairs = 0, uncertified = 0;
  std::int64_t margin_failures = 0;
  double min_mass = 1.0, max_layer1_error = 0.0, score_rounding_bound = 0.0, logit_error_bound = 0.0;
  double layer2_seconds = 0.0;
  StageSeconds stages;
  bool certified = false;
  std::optional<Counterexample> first_violation, first_disagreement, first_error, first_margin_failure;

  void merge(const Tally& o) {
    margin_failures += o.margin_failures;
    keep_first(first_margin_failure, o.first_margin_failure);
    copied += o.copied;
    with_repeat += o.with_repeat;
    violations += o.violations;
    disagreements += o.disagreements;
    unique += o.unique;
    pairs += o.pairs;
    uncertified += o.uncertified;
    layer2_seconds += o.layer2_seconds;
    stages.add(o.stages);
    min_mass = std::min(min_mass, o.min_mass);
    max_layer1_error = std::max(max_layer1_error, o.max_layer1_error);
    score_rounding_bound = std::max(score_rounding_bound, o.score_rounding_bound);
    logit_error_bound = std::max(logit_error_bound, o.logit_error_bound);
    certified = certified || o.certified;
    keep_first(first_violation, o.first_violation);
    keep_first(first_disagreement, o.first_disagreement);
    keep_first(first_error, o.first_error);
  }
};

using Clock = std::chrono::steady_clock;
using common::seconds_since;

void check_string(const CopyTransformer& ct, const CopyForwardBackend& backend, std::int64_t sample,
                  const std::vector<Token>& x, int threads, Tally& tally,
                  const std::function<void(std::int64_t)>& pair_progress) {
  const Vocabulary& vocab = ct.vocab;
  const auto length = static_cast<std::int64_t>(x.size());
  const std::vector<Token> sequence = teacher_forced_sequence(vocab, x);
  const std::vector<std::int64_t> outputs = copy_output_positions(length);
  auto start = Clock::now();
  const std::vector<ReferencePrediction> reference =
      reference_predictions(vocab, ct.parameters.ngram, sequence, outputs);
  tally.stages.reference += seconds_since(start);
  std::vector<std::int64_t> probes(outputs.size(), -1);
  for (std::size_t k = 0; k < outputs.size(); ++k)
    if (reference[k].matches == 1) probes[k] = reference[k].match_position;

  const CopyForwardResult result = backend.run(CopyForwardRequest{sequence, outputs, probes, threads, pair_progress});
  start = Clock::now();
  const bool repeated = has_repeated_ngram(x, ct.parameters.ngram);
  tally.stages.repeats += seconds_since(start);
  tally.stages.add(result.stages);
  tally.max_layer1_error = std::max(tally.max_layer1_error, result.max_layer1_error);
  tally.certified = tally.certified || result.certified;
  tally.score_rounding_bound = std::max(tally.score_rounding_bound, result.score_rounding_bound);
  tally.logit_error_bound = std::max(tally.logit_error_bound, result.logit_error_bound);
  tally.uncertified += result.uncertified;
  tally.layer2_seconds += result.layer2_seconds;

  auto counterexample = [&](std::int64_t k) {
    const auto r = static_cast<std::size_t>(k);
    return Counterexample{sample,
                          x,
                          k,
                          k < length ? x[r] : vocab.eos(),
                          result.predictions[r],
                          reference[r].matches,
                          repeated,
                          reference[r].matches == 1 ? result.probe_mass[r] : -1.0,
                          {}};
  };
  std::int64_t first_wrong = -1;
  for (std::int64_t k = 0; k <= length; ++k) {
    const auto r = static_cast<std::size_t>(k);
    const Token expected = k < length ? x[r] : vocab.eos();
    if (result.predictions[r] != expected && first_wrong < 0) first_wrong = k;
    tally.pairs += outputs[r] + 1;
    if (reference[r].matches != 1) continue;
    ++tally.unique;
    if (result.predictions[r] != reference[r].token) {
      ++tally.disagreements;
      keep_first(tally.first_disagreement, counterexample(k));
    }
    tally.min_mass = std::min(tally.min_mass, result.probe_mass[r]);
    if (!(result.probe_mass[r] > ct.parameters.argmax_threshold)) {
      ++tally.margin_failures;
      keep_first(tally.first_margin_failure, counterexample(k));
    }
  }
  tally.with_repeat += repeated ? 1 : 0;
  if (first_wrong < 0) {
    ++tally.copied;
    return;
  }
  keep_first(tally.first_error, counterexample(first_wrong));
  if (!repeated) {
    ++tally.violations;
    keep_first(tally.first_violation, counterexample(first_wrong));
  }
}

Tally run_all(const CopyTransformer& ct, const CopyForwardBackend& backend, const StringSource& source, int threads,
              const ProgressCallback& progress) {
  const std::int64_t count = source.count();
  const bool split_samples = backend.concurrent() && source.length() <= kShortString && count > 1;
  const int outer = split_samples ? threads : 1;
  const int inner = split_samples ? 1 : threads;
  std::vector<Tally> tallies(static_cast<std::size_t>(outer));
  // Progress counts layer-2 pairs, so one long string reports as it goes.
  const std::int64_t per_string = layer2_pairs_per_string(source.length());
  const std::int64_t total_pairs = per_string * count;
  std::atomic<std::int64_t> done{0};
  std::exception_ptr failure;  // an exception must not leave the OpenMP region (it would abort)
  std::mutex failure_mutex;
#pragma omp parallel for schedule(dynamic, 16) num_threads(outer)
  for (std::int64_t i = 0; i < count; ++i) {
    try {
      std::function<void(std::int64_t)> pair_progress;
      if (progress && !split_samples)
        pair_progress = [&, i](std::int64_t pairs) {
          progress(i * per_string + std::min(pairs, per_string), total_pairs);
        };
      check_string(ct, backend, i, source.string(i), inner, tallies[static_cast<std::size_t>(omp_get_thread_num())],
                   pair_progress);
    } catch (...) {
      const std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
    const std::int64_t finished = ++done;
    if (progress && omp_get_thread_num() == 0) progress(finished * per_string, total_pairs);
  }
  if (failure) std::rethrow_exception(failure);
  Tally total;
  for (const auto& t : tallies) total.merge(t);
  return total;
}

}  // namespace

std::uint64_t verify_memory_bytes(const VerifyConfig& config) {
  const std::int64_t length = source_length(config);
  const CopyTransformerShape shape = copy_transformer_shape(config.alphabet, config.ngram);
  const double positions = 2.0 * static_cast<double>(length) + 2;
  const int scalar = config.precision == Precision::fp64 ? 8 : 4;
  // Stream twice, one head's q/k/v/o, reference tables (~64 bytes a position), the string
  // itself; for the match masses (float64, forward.hpp: LastLayerScores) the layer-2 keys
  // again and a float64 copy of the stream.
  const double per_position = (2.0 * shape.d_model + 2.0 * shape.layer2_key_width + 2.0 * shape.code_bits) * scalar +
                              (shape.layer2_key_width + shape.d_model) * 8.0 + 64.0 + 16.0;
  const double outputs = static_cast<double>(length) + 1;
  double per_string = positions * per_position + outputs * (3.0 * (shape.d_model + shape.vocab) * scalar + 64.0);
  if (config.device_forward) {
    // The GPU forward (gpu/src/gpu_backend.cpp) brings back only the rows at the outputs
    // (float32), each head's level statistics (device layout, then widened) and the logits
    // of the host finish (double); the verifier adds the string and its reference tables
    // (~64 bytes a position) and ~64 bytes of per-output records.
    const double stats =
        4.0 * (1 + kLevels + kLevels * kMaxLevelValueWidth) + 4.0 * (1 + kLevels + kLevels * shape.code_bits);
    per_string = positions * (4.0 + 64.0 + 16.0) +
                 outputs * (4.0 * shape.d_model + shape.layer2_heads * (stats + 8.0) + 8.0 * shape.vocab + 64.0 + 32.0);
  }
  const int concurrent = length <= kShortString ? std::max(config.threads, 1) : 1;
  // The streamed exact path (exact_copy_forward.hpp) on the host; a device forward plans
  // its own rows above, whatever precision the device runs in.
  if (config.precision == Precision::int8 && !config.device_forward)
    return exact_copy_forward_bytes(config.alphabet, config.ngram, length) * static_cast<std::uint64_t>(concurrent);
  return static_cast<std::uint64_t>(per_string * concurrent);
}

VerifyReport verify(const VerifyConfig& config, const ProgressCallback& progress, const BackendFactory& factory) {
  const auto start = std::chrono::steady_clock::now();
  VerifyReport report;
  report.config = config;
  report.length = source_length(config);
  report.max_length = model_max_length(config);
  const std::unique_ptr<StringSource> source = make_source(config);
  const CopyTransformer ct = build_copy_transformer(config.alphabet, config.ngram, report.max_length,
                                                    CopyTransformerOptions{config.diagnostic_lambda_scale});
  report.parameters = ct.parameters;
  report.d_model = ct.model.d_model();
  report.params = ct.model.parameter_count();

  const std::unique_ptr<CopyForwardBackend> backend = factory ? factory(ct) : make_cpu_backend(ct, config.precision);
  report.backend = backend->name();
  Tally t = run_all(ct, *backend, *source, config.threads, progress);
  report.strings = source->count();
  report.strings_copied = t.copied;
  report.strings_with_repeat = t.with_repeat;
  report.violations = t.violations;
  report.disagreements = t.disagreements;
  report.unique_match_positions = t.unique;
  const double strings = static_cast<double>(std::max<std::int64_t>(report.strings, 1));
  report.string_error = static_cast<double>(report.strings - t.copied) / strings;
  report.repeat_fraction = static_cast<double>(t.with_repeat) / strings;
  report.lemma_bound = lemma_bound(config.alphabet, config.ngram, report.length);
  report.min_match_mass = t.min_mass;
  report.max_layer1_error = t.max_layer1_error;
  report.pairs = t.pairs;
  report.certified = t.certified;
  report.score_rounding_bound = t.score_rounding_bound;
  report.logit_error_bound = t.logit_error_bound;
  report.uncertified_predictions = t.uncertified;
  report.layer2_seconds = t.layer2_seconds;
  report.stages = t.stages;
  for (std::optional<Counterexample>* c :
       {&t.first_violation, &t.first_disagreement, &t.first_error, &t.first_margin_failure})
    if (*c) (*c)->residual = counterexample_residual(ct, (*c)->input, (*c)->output_index);
  report.first_violation = t.first_violation;
  report.first_disagreement = t.first_disagreement;
  report.first_error = t.first_error;
  report.margin_failures = t.margin_failures;
  report.first_margin_failure = t.first_margin_failure;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.pairs_per_second = report.seconds > 0 ? static_cast<double>(report.pairs) / report.seconds : 0;
  return report;
}

}  // namespace copyproof::construction
