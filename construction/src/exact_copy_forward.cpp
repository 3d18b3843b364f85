#include "copyproof/construction/exact_copy_forward.hpp"
#include "copyproof/common/stopwatch.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/integer_attention.hpp"
#include "copyproof/construction/layer1_reference.hpp"

namespace copyproof::construction {

namespace {

using Clock = std::chrono::steady_clock;
using common::seconds_since;

// Positions a row of the last layer's input depends on, looking back: the sum of the
// earlier layers' window reaches.
std::int64_t halo(const TypedTransformer<float>& model) {
  std::int64_t reach = 0;
  for (std::size_t layer = 0; layer + 1 < model.layers.size(); ++layer) {
    std::int64_t widest = 0;
    for (const auto& h : model.layers[layer]) widest = std::max(widest, h.window.hi);
    reach += widest;
  }
  return reach;
}

}  // namespace

bool exact_forward_supported(const TypedTransformer<float>& model) {
  if (model.layers.size() < 2 || model.layers.back().size() != 1) return false;
  const auto& head = model.layers.back().front();
  if (!(head.integer_score_unit > 0) || head.position_slope != 0) return false;
  for (std::size_t layer = 0; layer + 1 < model.layers.size(); ++layer)
    for (const auto& h : model.layers[layer])
      if (!h.window.bounded() || h.window.hi > kLayer1Chunk) return false;
  return true;
}

CopyForwardResult exact_copy_forward(const CopyTransformer& ct, const TypedTransformer<float>& model,
                                     const CopyForwardRequest& request, PopcountKernel kernel, std::int64_t chunk) {
  if (chunk < 1) throw std::invalid_argument("exact forward: chunk must be >= 1");
  const auto positions = static_cast<std::int64_t>(request.sequence.size());
  const auto rows = static_cast<std::int64_t>(request.outputs.size());
  const auto& head = model.layers.back().front();
  const IntegerRowFinisher finisher(model);
  const auto vocab = static_cast<std::size_t>(finisher.vocab());
  CopyForwardResult r;

  // Layer 1, chunk by chunk; each chunk's layer-2 inputs rounded and packed at once.
  auto start = Clock::now();
  const std::int64_t reach = halo(model);
  const ExactLayer1 exact(ct.vocab, ct.layout, request.sequence);
  BitPlaneHead planes(static_cast<int>(head.key_t.cols()), static_cast<int>(head.value_t.cols()),
                      head.integer_score_unit);
  std::vector<double> residual_logits(static_cast<std::size_t>(rows) * vocab);
  // Chunks run one per thread (each forward single-threaded: no barrier per head, which
  // costs most under a loaded machine), a batch of `threads` at a time; their rounded
  // inputs are appended in order.
  const int threads = std::max(request.threads, 1);
  struct Chunk {
    IntegerHeadInputs inputs;
    double deviation = 0, check_seconds = 0;
    std::exception_ptr failure;
  };
  std::vector<Chunk> batch(static_cast<std::size_t>(threads));
  for (std::int64_t b0 = 0; b0 < positions; b0 += chunk * threads) {
#pragma omp parallel for schedule(static, 1) num_threads(threads)
    for (int t = 0; t < threads; ++t) {
      Chunk& out = batch[static_cast<std::size_t>(t)];
      out = Chunk{};
      const std::int64_t c0 = b0 + t * chunk;
      if (c0 >= positions) continue;
      try {
        const std::int64_t c1 = std::min(positions, c0 + chunk);
        const std::int64_t s0 = std::max<std::int64_t>(0, c0 - reach);
        const RowMatrix<float> with_halo = forward_to_last_layer(
            model, request.sequence.subspan(static_cast<std::size_t>(s0), static_cast<std::size_t>(c1 - s0)),
            ForwardOptions{1});
        const RowMatrix<float> x = with_halo.bottomRows(c1 - c0);
        const auto check_start = Clock::now();
        out.deviation = exact.max_deviation_rows(x.data(), c0, c1 - c0, 1);
        out.check_seconds = seconds_since(check_start);
        // This chunk's output rows (outputs ascend), at positions relative to c0.
        const auto first = std::lower_bound(request.outputs.begin(), request.outputs.end(), c0);
        const auto last = std::lower_bound(first, request.outputs.end(), c1);
        std::vector<std::int64_t> local;
        for (auto it = first; it != last; ++it) {
          local.push_back(*it - c0);
          const auto row = static_cast<std::size_t>(it - request.outputs.begin());
          finisher.residual_logits(x.row(local.back()).data(), &residual_logits[row * vocab]);
        }
        out.inputs = round_last_layer_head(model, x, local, 0, IntegerRounding{true});
      } catch (...) {
        out.failure = std::current_exception();  // an exception must not leave the OpenMP region
      }
    }
    for (Chunk& c : batch) {
      if (c.failure) std::rethrow_exception(c.failure);
      if (c.inputs.key_width == 0) continue;  // past the end
      r.max_layer1_error = std::max(r.max_layer1_error, c.deviation);
      r.stages.layer1_check += c.check_seconds / threads;  // thread seconds, as a share of wall time
      planes.append(c.inputs);
    }
  }
  r.stages.layer1 = seconds_since(start) - r.stages.layer1_check;

  // Layer 2 from the planes; each block of rows finished as soon as its stats are done.
  start = Clock::now();
  r.predictions.assign(static_cast<std::size_t>(rows), -1);
  std::vector<double> margins(static_cast<std::size_t>(rows));
  std::vector<double> log_normalizer(static_cast<std::size_t>(rows));
  double worst_output_error = 0;
  std::mutex worst_mutex;
  bitplane_attention_blocks(
      planes, request.outputs, head.window, request.threads, kernel,
      [&](std::int64_t first, std::span<const HostLevelStats> stats) {
        double worst = 0;
        std::vector<double> logits(vocab);
        for (std::size_t i = 0; i < stats.size(); ++i) {
          const auto row = static_cast<std::size_t>(first) + i;
          std::copy_n(&residual_logits[row * vocab], vocab, logits.begin());
          const std::int64_t seen = allowed_keys(head.window, request.outputs[row], planes.keys());
          const LevelSoftmax soft = finisher.add_head(0, stats[i], seen, planes.unit(), planes.value_bound,
                                                      planes.value_width(), logits.data());
          worst = std::max(worst, soft.output_error_bound);
          log_normalizer[row] = soft.log_normalizer;
          const auto [best, margin] = finisher.top(logits.data());
          r.predictions[row] = best;
          margins[row] = margin;
        }
        const std::lock_guard lock(worst_mutex);
        worst_output_error = std::max(worst_output_error, worst);
      },
      request.progress);
  r.stages.layer2 = seconds_since(start);

  // Probe masses and the certified margins.
  start = Clock::now();
  r.probe_mass.assign(static_cast<std::size_t>(rows), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t k = 0; k < static_cast<std::size_t>(rows); ++k)
    if (k < request.probe_keys.size() && request.probe_keys[k] >= 0)
      r.probe_mass[k] = std::exp(planes.unit() * planes.score(static_cast<std::int64_t>(k), request.probe_keys[k]) -
                                 log_normalizer[k]);
  IntegerLastLayer integer;
  integer.score_rounding_bound = planes.score_rounding_bound();
  integer.max_output_error = worst_output_error;
  integer.logit_error_bound = finisher.logit_error(0, worst_output_error, integer.score_rounding_bound,
                                                   planes.value_bound, planes.value_residual);
  integer.margins = std::move(margins);
  certify(integer, r);
  r.stages.margins = seconds_since(start);
  r.layer2_seconds = r.stages.layer2;
  return r;
}

std::uint64_t exact_copy_forward_bytes(int alphabet, int ngram, std::int64_t length) {
  const CopyTransformerShape shape = copy_transformer_shape(alphabet, ngram);
  const double positions = 2.0 * static_cast<double>(length) + 2, outputs = static_cast<double>(length) + 1;
  const double words = std::ceil(shape.layer2_key_width / 32.0);
  // Per position: key planes (2 x words x 4), values (b), the token, ExactLayer1's last
  // separator (8), the reference copier's sort items and tables (~40).
  const double per_position = 8 * words + shape.code_bits + 4 + 8 + 40;
  // Per output: query planes, residual logits, margin and log-normalizer, prediction, probe
  // key and mass, output position, reference prediction (24).
  const double per_output = 8 * words + 8.0 * shape.vocab + 16 + 4 + 16 + 8 + 24;
  // One layer-1 chunk with halo: the stream and its next copy, one head's q/k/v/o, the
  // rounded inputs (float32), several times over for temporaries.
  const double chunk =
      8.0 * static_cast<double>(kLayer1Chunk + ngram) * (2.0 * shape.d_model + 4 * shape.layer2_key_width) * 4;
  return static_cast<std::uint64_t>(positions * per_position + outputs * per_output + chunk);
}

}  // namespace copyproof::construction
