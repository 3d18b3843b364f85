// Host side of the GPU path: uploads the weights once, runs layer 1 and the rounding of
// layer 2's inputs on the device, layer 2 by levels on int8 tensor cores, then finishes the
// rows with the same host code as the CPU's int8 path (construction/integer_attention).

#include "copyproof/gpu/gpu_backend.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>

#include "banded_layer.cuh"
#include "copyproof/common/stopwatch.hpp"
#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/integer_attention.hpp"
#include "copyproof/construction/layer1_reference.hpp"
#include "copyproof/construction/tensor_core_padding.hpp"
#include "copyproof/gpu/level_attention_lanes.hpp"
#include "cuda_check.hpp"
#include "embed.cuh"
#include "level_attention.cuh"
#include "probe_scores.cuh"
#include "project.cuh"
#include "round_projection.cuh"

namespace copyproof::gpu {

namespace cx = copyproof::construction;

std::string unavailable_reason() {
  int devices = 0;
  const cudaError_t status = cudaGetDeviceCount(&devices);
  if (status == cudaErrorNoDevice || status == cudaErrorInsufficientDriver)
    return std::string("no usable GPU: no NVIDIA GPU or driver on this machine (") + cudaGetErrorString(status) + ")";
  if (status != cudaSuccess) return std::string("no usable GPU: ") + cudaGetErrorString(status);
  if (devices == 0) return "no usable GPU: no CUDA device found";
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return "no usable GPU: cannot read device 0's properties";
  if (prop.major < 9)
    return "no usable GPU: " + std::string(prop.name) + " has compute capability " + std::to_string(prop.major) + "." +
           std::to_string(prop.minor) + "; the kernels are built for 9.0 (Hopper)";
  return {};
}

std::uint64_t device_memory_free() {
  std::size_t free_bytes = 0, total = 0;
  if (cudaMemGetInfo(&free_bytes, &total) != cudaSuccess) return 0;
  return free_bytes;
}

std::uint64_t device_memory_needed(const cx::CopyTransformer& model, std::int64_t positions, std::int64_t outputs) {
  const double d = model.model.d_model();
  double projection = 0, stride = 0, value = 0;
  for (std::size_t layer = 0; layer + 1 < model.model.layers.size(); ++layer) {
    double width = 0;
    for (const auto& h : model.model.layers[layer].heads) width += 2.0 * h.query.rows() + h.value.rows();
    projection = std::max(projection, width);
  }
  for (const auto& h : model.model.layers.back().heads) {
    stride = std::max(stride, static_cast<double>(cx::padded_key_width(static_cast<int>(h.key.rows()))));
    value = std::max(value, static_cast<double>(h.value.rows()));
  }
  const double p = static_cast<double>(positions), o = static_cast<double>(outputs) + 256;
  // The two phases of run() hold different buffers; the peak is the larger.
  // Layer 1: tokens, two float streams, one layer's projections.
  const double layer1 = 4 * p + 4 * p * (2 * d + projection);
  // Layer 2: one float stream; int8 keys, values and (padded) queries of one head; level
  // stats, positions, probes and scores per output.
  const double layer2 = 4 * p * d + p * (stride + value) + o * stride + o * (4 * (1 + 4 + 4 * value) + 8 + 8 + 4);
  return static_cast<std::uint64_t>(std::max(layer1, layer2) * 1.05) + (64u << 20);
}

void check_supported(const cx::CopyTransformer& model) {
  const auto& layers = model.model.layers;
  for (std::size_t layer = 0; layer + 1 < layers.size(); ++layer)
    for (const auto& h : layers[layer].heads) {
      if (!h.window.bounded() || h.window.hi - h.window.lo + 1 > cx::kBandedWindowLimit)
        throw std::invalid_argument("layers before the last must have windows of at most " +
                                    std::to_string(cx::kBandedWindowLimit) + " keys");
      if (h.value.rows() > kMaxBandedValueWidth) throw std::invalid_argument("banded value width over 32");
    }
  for (const auto& h : layers.back().heads) {
    if (!(h.integer_score_unit > 0)) throw std::invalid_argument("the last layer's heads need an integer promise");
    if (h.position_slope != 0) throw std::invalid_argument("the last layer's heads cannot have a position slope");
    if (cx::padded_key_width(static_cast<int>(h.key.rows())) > kLevelMaxStride || h.value.rows() > 8)
      throw std::invalid_argument("layer 2 needs padded d_k <= " + std::to_string(kLevelMaxStride) +
                                  " and d_v <= 8 (n b + 1 <= 128 and D <= 255); d_k = " + std::to_string(h.key.rows()) +
                                  ", d_v = " + std::to_string(h.value.rows()));
  }
}

namespace {

std::vector<float> row_major(const cx::RowMatrix<float>& m) { return {m.data(), m.data() + m.size()}; }

// A non-last layer's heads, packed for the banded kernel.
struct DeviceBandedLayer {
  int projection_width = 0;
  DeviceBuffer<float> projection_weights;  // (projection_width, d_model)
  DeviceBuffer<BandedHead> heads;
  std::vector<BandedHead> host_heads;  // the same, for the launcher's checks
  DeviceBuffer<float> outputs;         // every head's W_o, (d_model, d_v) each
  int head_count = 0;
};

struct DeviceIntegerHead {
  int key_width = 0, value_width = 0, stride = 0;
  double unit = 0;
  DeviceBuffer<float> query, key, value;  // (d_k | d_k | d_v, d_model)
  cx::RelativeWindow window;
};

class GpuBackend final : public cx::CopyForwardBackend {
 public:
  GpuBackend(const cx::CopyTransformer& ct, const GpuOptions& options) : ct_(ct), options_(options), typed_(ct.model) {
    if (const std::string reason = unavailable_reason(); !reason.empty()) throw std::runtime_error(reason);
    check_supported(ct);
    d_ = typed_.d_model;
    embedding_ = to_device(row_major(typed_.embedding_rows));
    for (std::size_t layer = 0; layer + 1 < typed_.layers.size(); ++layer)
      banded_.push_back(pack_banded(typed_.layers[layer]));
    for (const auto& h : typed_.layers.back()) integer_heads_.push_back(pack_integer(h));
  }

  std::string name() const override { return "gpu-int8"; }
  bool concurrent() const override { return false; }

  cx::CopyForwardResult run(const cx::CopyForwardRequest& request) const override;

 private:
  struct Layer1OnHost;
  struct Layer2Head;
  // The stages of run(), in order.
  DeviceBuffer<float> layer1(const cx::CopyForwardRequest& request) const;
  Layer1OnHost download_layer1(const DeviceBuffer<float>& x, const cx::CopyForwardRequest& request) const;
  Layer2Head layer2_head(std::size_t h, const DeviceBuffer<float>& x, long long n,
                         const std::vector<long long>& host_positions, const std::vector<long long>& host_probes,
                         const DeviceBuffer<long long>& positions, const DeviceBuffer<long long>& probes,
                         const std::function<void(std::int64_t)>& pairs_done) const;

  DeviceBandedLayer pack_banded(const std::vector<cx::TypedHead<float>>& heads) const {
    DeviceBandedLayer layer;
    std::vector<float> weights, outputs;
    std::vector<BandedHead> descs;
    auto append_rows = [&](const cx::RowMatrix<float>& transposed) {  // (d_model, width) -> width rows of d_model
      for (Eigen::Index c = 0; c < transposed.cols(); ++c)
        for (Eigen::Index r = 0; r < transposed.rows(); ++r) weights.push_back(transposed(r, c));
    };
    int column = 0;
    for (const auto& h : heads) {
      BandedHead d{};
      d.key_width = static_cast<int>(h.key_t.cols());
      d.value_width = static_cast<int>(h.value_t.cols());
      d.query_column = column;
      append_rows(h.query_t);
      column += d.key_width;
      d.key_column = column;
      append_rows(h.key_t);
      column += d.key_width;
      d.value_column = column;
      append_rows(h.value_t);
      column += d.value_width;
      d.slope = static_cast<float>(h.position_slope);
      d.window_lo = h.window.lo;
      d.window_hi = h.window.hi;
      d.output_offset = static_cast<int>(outputs.size());
      // W_o as (d_model, d_v) row-major: output_t is (d_v, d_model).
      for (Eigen::Index c = 0; c < h.output_t.cols(); ++c)
        for (Eigen::Index r = 0; r < h.output_t.rows(); ++r) outputs.push_back(h.output_t(r, c));
      descs.push_back(d);
    }
    layer.projection_width = column;
    layer.head_count = static_cast<int>(descs.size());
    layer.projection_weights = to_device(weights);
    layer.heads = to_device(descs);
    layer.host_heads = descs;
    layer.outputs = to_device(outputs);
    return layer;
  }

  DeviceIntegerHead pack_integer(const cx::TypedHead<float>& h) const {
    DeviceIntegerHead d;
    d.key_width = static_cast<int>(h.key_t.cols());
    d.value_width = static_cast<int>(h.value_t.cols());
    d.stride = cx::padded_key_width(d.key_width);
    d.unit = h.integer_score_unit;
    auto rows_of = [](const cx::RowMatrix<float>& transposed) {
      const cx::RowMatrix<float> m = transposed.transpose();
      return to_device(row_major(m));
    };
    d.query = rows_of(h.query_t);
    d.key = rows_of(h.key_t);
    d.value = rows_of(h.value_t);
    d.window = h.window;
    return d;
  }

  const cx::CopyTransformer& ct_;
  GpuOptions options_;
  cx::TypedTransformer<float> typed_;
  int d_ = 0;
  DeviceBuffer<float> embedding_;
  std::vector<DeviceBandedLayer> banded_;
  std::vector<DeviceIntegerHead> integer_heads_;
};

// Device stats in the layout LevelStats<DV> -> the host's LevelStats<17>.
template <int DV>
void widen(const void* device_layout, std::size_t count, std::vector<cx::HostLevelStats>& out) {
  static_assert(sizeof(cx::LevelStats<DV>) == sizeof(std::int32_t) * (1 + cx::kLevels + cx::kLevels * DV),
                "LevelStats must be plain int32 fields, as the kernel writes them");
  const auto* s = static_cast<const cx::LevelStats<DV>*>(device_layout);
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    out[i].max_score = s[i].max_score;
    for (int t = 0; t < cx::kLevels; ++t) {
      out[i].count[t] = s[i].count[t];
      for (int c = 0; c < DV; ++c) out[i].value_sum[t][c] = s[i].value_sum[t][c];
    }
  }
}

void widen_stats(int value_width, const std::vector<unsigned char>& bytes, std::size_t count,
                 std::vector<cx::HostLevelStats>& out) {
  switch (value_width) {
    case 1: return widen<1>(bytes.data(), count, out);
    case 2: return widen<2>(bytes.data(), count, out);
    case 3: return widen<3>(bytes.data(), count, out);
    case 4: return widen<4>(bytes.data(), count, out);
    case 5: return widen<5>(bytes.data(), count, out);
    case 6: return widen<6>(bytes.data(), count, out);
    case 7: return widen<7>(bytes.data(), count, out);
    case 8: return widen<8>(bytes.data(), count, out);
    default: throw std::invalid_argument("GPU path: value width over 8");
  }
}

std::size_t stats_bytes(int value_width) {
  return sizeof(std::int32_t) * (1 + cx::kLevels + cx::kLevels * value_width);
}

double residual_of(const RoundingStats& s) {
  float f = 0;
  std::memcpy(&f, &s.residual_bits, sizeof f);
  return f;
}

// Stage 1: the layers before the last on the device, float32. Returns the stream entering layer 2.
DeviceBuffer<float> GpuBackend::layer1(const cx::CopyForwardRequest& request) const {
  const auto n = static_cast<long long>(request.sequence.size());
  DeviceBuffer<std::int32_t> tokens(static_cast<std::size_t>(n));
  tokens.upload(request.sequence.data(), request.sequence.size());
  DeviceBuffer<float> x(static_cast<std::size_t>(n) * d_), x_next(static_cast<std::size_t>(n) * d_);
  launch_embed(tokens.data(), request.sequence.data(), n, embedding_.data(),
               static_cast<int>(typed_.embedding_rows.rows()), d_, x.data());
  for (const auto& layer : banded_) {
    DeviceBuffer<float> projection(static_cast<std::size_t>(n) * layer.projection_width);
    launch_project(x.data(), n, d_, layer.projection_weights.data(), layer.projection_width, projection.data());
    launch_banded_layer(x.data(), n, d_, projection.data(), layer.projection_width, layer.heads.data(),
                        layer.host_heads.data(), layer.head_count, layer.outputs.data(),
                        static_cast<int>(layer.outputs.size()), x_next.data());
    std::swap(x, x_next);
  }
  return x;
}

// Stage 2: the stream comes back to the host a slab of rows at a time, for its distance to
// the exact layer 1 and for the rows at the output positions: the whole stream is never
// held on the host (B(4,12): 10.5 GB of it).
struct GpuBackend::Layer1OnHost {
  cx::RowMatrix<float> output_rows;  // (outputs, d_model)
  double max_error = 0;              // max |computed - exact| over the stream; +inf if any entry is NaN
};

GpuBackend::Layer1OnHost GpuBackend::download_layer1(const DeviceBuffer<float>& x,
                                                     const cx::CopyForwardRequest& request) const {
  constexpr long long kSlabRows = 1 << 16;
  const auto n = static_cast<long long>(request.sequence.size());
  const cx::ExactLayer1 exact(ct_.vocab, ct_.layout, request.sequence);
  Layer1OnHost out;
  out.output_rows.resize(static_cast<Eigen::Index>(request.outputs.size()), d_);
  cx::RowMatrix<float> slab(std::min(n, kSlabRows), d_);
  std::size_t next_output = 0;
  for (long long begin = 0; begin < n; begin += kSlabRows) {
    const long long rows = std::min(kSlabRows, n - begin);
    COPYPROOF_CUDA(cudaMemcpy(slab.data(), x.data() + begin * d_, static_cast<std::size_t>(rows * d_) * sizeof(float),
                              cudaMemcpyDeviceToHost));
    double worst = out.max_error;
#pragma omp parallel num_threads(std::max(request.threads, 1)) reduction(max : worst)
    {
      std::vector<double> row(static_cast<std::size_t>(d_));
#pragma omp for schedule(static)
      for (long long r = 0; r < rows; ++r) {
        exact.row(begin + r, row.data());
        for (int c = 0; c < d_; ++c) {
          const double e = std::fabs(static_cast<double>(slab(r, c)) - row[static_cast<std::size_t>(c)]);
          worst = std::isnan(e) ? std::numeric_limits<double>::infinity() : std::max(worst, e);
        }
      }
    }
    out.max_error = worst;
    for (; next_output < request.outputs.size() && request.outputs[next_output] < begin + rows; ++next_output)
      out.output_rows.row(static_cast<Eigen::Index>(next_output)) = slab.row(request.outputs[next_output] - begin);
  }
  return out;
}

// Stage 3, per head of the last layer: round queries / unit, keys and values to int8, the
// levels on tensor cores (timed), and for head 0 the probe scores.
struct GpuBackend::Layer2Head {
  cx::IntegerHeadInputs rounded;
  std::vector<cx::HostLevelStats> stats;
  std::vector<std::int32_t> probe_scores;  // head 0 only
  double seconds = 0;                      // the level-attention kernel alone
};

GpuBackend::Layer2Head GpuBackend::layer2_head(std::size_t h, const DeviceBuffer<float>& x, long long n,
                                               const std::vector<long long>& host_positions,
                                               const std::vector<long long>& host_probes,
                                               const DeviceBuffer<long long>& positions,
                                               const DeviceBuffer<long long>& probes,
                                               const std::function<void(std::int64_t)>& pairs_done) const {
  const DeviceIntegerHead& head = integer_heads_[h];
  const auto outputs = static_cast<long long>(host_positions.size());
  const long long per_block = level_attention_rows_per_block();
  const long long padded_rows = (outputs + per_block - 1) / per_block * per_block;
  DeviceBuffer<std::int8_t> q(static_cast<std::size_t>(padded_rows) * head.stride);
  DeviceBuffer<std::int8_t> k(static_cast<std::size_t>(n) * head.stride);
  DeviceBuffer<std::int8_t> v(static_cast<std::size_t>(n) * head.value_width);
  DeviceBuffer<RoundingStats> rounding(3);
  rounding.fill_zero();
  q.fill_zero();  // rows past the last query stay 0
  launch_round_projection(x.data(), positions.data(), outputs, d_, head.query.data(), head.key_width, head.unit,
                          head.stride, q.data(), rounding.data() + 0);
  launch_round_projection(x.data(), nullptr, n, d_, head.key.data(), head.key_width, 1.0, head.stride, k.data(),
                          rounding.data() + 1);
  launch_round_projection(x.data(), nullptr, n, d_, head.value.data(), head.value_width, 1.0, head.value_width,
                          v.data(), rounding.data() + 2);
  RoundingStats r[3];
  rounding.download(r, 3);
  for (const auto& one : r)
    if (one.overflow) throw std::runtime_error("GPU path: a rounded layer-2 entry leaves int8 (or is NaN)");

  Layer2Head out;
  cx::IntegerHeadInputs& in = out.rounded;
  in.key_width = head.key_width;
  in.padded_key_width = head.stride;
  in.value_width = head.value_width;
  in.unit = head.unit;
  in.query_residual = residual_of(r[0]);
  in.key_residual = residual_of(r[1]);
  in.value_residual = residual_of(r[2]);
  in.query_bound = r[0].bound;
  in.key_bound = r[1].bound;
  in.value_bound = r[2].bound;

  DeviceBuffer<unsigned char> device_stats(static_cast<std::size_t>(outputs) * stats_bytes(head.value_width));
  // The queries go in chunks of whole blocks (GpuOptions), all queued at once; the host
  // waits on each chunk's event in turn to report progress, so the card never idles
  // between chunks.
  const long long blocks = (outputs + per_block - 1) / per_block;
  const long long chunk_blocks =
      std::max(options_.min_chunk_blocks, (blocks + options_.max_chunks - 1) / options_.max_chunks);
  const long long chunk_rows = chunk_blocks * per_block;
  std::vector<std::unique_ptr<CudaEvent>> done;  // one per chunk, after its launch
  CudaEvent start;
  start.record();
  for (long long begin = 0; begin < outputs; begin += chunk_rows) {
    const long long rows = std::min(chunk_rows, outputs - begin);
    LevelAttentionArgs args;
    args.q = q.data() + begin * head.stride;
    args.positions = positions.data() + begin;
    args.host_positions = host_positions.data() + begin;
    args.queries = rows;
    args.padded_rows = (rows + per_block - 1) / per_block * per_block;  // within q: begin is a multiple of per_block
    args.k = k.data();
    args.v = v.data();
    args.keys = n;
    args.stride = head.stride;
    args.value_width = head.value_width;
    args.window_lo = head.window.lo;
    args.window_hi = head.window.hi;
    args.stats = device_stats.data() + static_cast<std::size_t>(begin) * stats_bytes(head.value_width);
    launch_level_attention(args);
    done.push_back(std::make_unique<CudaEvent>());
    done.back()->record();
  }
  std::int64_t pairs = 0;  // as the verifier counts them: position + 1 keys per query
  for (std::size_t c = 0; c < done.size(); ++c) {
    out.seconds = done[c]->seconds_since(start);  // waits for chunk c
    const long long end = std::min(outputs, static_cast<long long>(c + 1) * chunk_rows);
    for (long long row = static_cast<long long>(c) * chunk_rows; row < end; ++row)
      pairs += host_positions[static_cast<std::size_t>(row)] + 1;
    if (pairs_done) pairs_done(pairs);
  }

  std::vector<unsigned char> host_stats(device_stats.size());
  device_stats.download(host_stats.data(), host_stats.size());
  widen_stats(head.value_width, host_stats, static_cast<std::size_t>(outputs), out.stats);
  if (h == 0) {
    DeviceBuffer<std::int32_t> scores(static_cast<std::size_t>(outputs));
    launch_probe_scores(q.data(), probes.data(), host_probes.data(), outputs, k.data(), n, head.stride, scores.data());
    out.probe_scores.resize(static_cast<std::size_t>(outputs));
    scores.download(out.probe_scores.data(), out.probe_scores.size());
  }
  return out;
}

cx::CopyForwardResult GpuBackend::run(const cx::CopyForwardRequest& request) const {
  const auto n = static_cast<long long>(request.sequence.size());
  const auto outputs = static_cast<long long>(request.outputs.size());
  cx::StageSeconds stages;
  auto clock = common::SteadyClock::now();
  auto lap = [&clock](double& stage) {
    stage += common::seconds_since(clock);
    clock = common::SteadyClock::now();
  };
  const DeviceBuffer<float> x = layer1(request);
  COPYPROOF_CUDA(cudaDeviceSynchronize());  // launches are asynchronous: time the work, not the queueing
  lap(stages.layer1);
  const Layer1OnHost host = download_layer1(x, request);
  lap(stages.layer1_check);

  const std::vector<long long> positions(request.outputs.begin(), request.outputs.end());
  const std::vector<long long> probes(request.probe_keys.begin(), request.probe_keys.end());
  const DeviceBuffer<long long> device_positions = to_device(positions), device_probes = to_device(probes);
  std::vector<std::vector<cx::HostLevelStats>> stats(integer_heads_.size());
  std::vector<cx::IntegerHeadInputs> rounded(integer_heads_.size());
  std::vector<std::int32_t> probe_scores;
  double layer2_seconds = 0;
  const auto heads = static_cast<std::int64_t>(integer_heads_.size());
  std::int64_t head_pairs = 0;  // one head's pairs, known after head 0
  for (std::size_t h = 0; h < integer_heads_.size(); ++h) {
    std::function<void(std::int64_t)> pairs_done;
    if (request.progress)  // every head sees the same pairs; report their mean over the heads
      pairs_done = [&, h](std::int64_t done) {
        if (h == 0) head_pairs = done;
        request.progress((static_cast<std::int64_t>(h) * head_pairs + done) / heads);
      };
    Layer2Head one = layer2_head(h, x, n, positions, probes, device_positions, device_probes, pairs_done);
    rounded[h] = one.rounded;
    stats[h] = std::move(one.stats);
    layer2_seconds += one.seconds;
    if (h == 0) probe_scores = std::move(one.probe_scores);
  }

  // Stage 4: finish on the host with the CPU int8 path's own code.
  cx::IntegerLastLayer integer;
  cx::finish_integer_rows(typed_, host.output_rows, stats, rounded, request.outputs, n, integer, request.threads);
  lap(stages.layer2);  // rounding, the level kernel (layer2_seconds alone) and each row's logits

  cx::CopyForwardResult result;
  result.predictions = integer.predictions;
  cx::certify(integer, result);
  result.layer2_seconds = layer2_seconds;
  result.max_layer1_error = host.max_error;
  result.probe_mass.assign(static_cast<std::size_t>(outputs), std::numeric_limits<double>::quiet_NaN());
  for (long long r = 0; r < outputs; ++r)
    if (request.probe_keys[static_cast<std::size_t>(r)] >= 0)
      result.probe_mass[static_cast<std::size_t>(r)] =
          std::exp(rounded[0].unit * probe_scores[static_cast<std::size_t>(r)] - integer.log_normalizer(r, 0));
  lap(stages.margins);
  result.stages = stages;
  return result;
}

}  // namespace

std::unique_ptr<cx::CopyForwardBackend> make_gpu_backend(const cx::CopyTransformer& model, const GpuOptions& options) {
  if (options.min_chunk_blocks < 1 || options.max_chunks < 1)
    throw std::invalid_argument("GPU options: min_chunk_blocks and max_chunks must be at least 1");
  return std::make_unique<GpuBackend>(model, options);
}

}  // namespace copyproof::gpu
