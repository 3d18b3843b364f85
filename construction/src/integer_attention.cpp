#include "copyproof/construction/integer_attention.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace copyproof::construction {

double IntegerHeadInputs::score_rounding_bound() const {
  // <q, k> = unit <q/unit, k>; with q/unit = a + da, k = c + dc (a, c integers):
  // |<a + da, c + dc> - <a, c>| <= d_k (|a|max |dc| + |c|max |da| + |da| |dc|).
  return unit * key_width *
         (query_bound * key_residual + key_bound * query_residual + query_residual * key_residual);
}

namespace {

constexpr int kTensorCoreK = 32;

// Rounds `m / scale` into int8 rows of `width` entries (zero padded); returns the residual.
template <class Scalar>
double round_rows(const RowMatrix<Scalar>& m, double scale, int width, std::vector<std::int8_t>& out, int& bound,
                  const char* what) {
  out.assign(static_cast<std::size_t>(m.rows()) * static_cast<std::size_t>(width), 0);
  double residual = 0;
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
      const double x = static_cast<double>(m(r, c)) / scale;
      const double rounded = std::nearbyint(x);
      if (!(std::fabs(rounded) <= 127)) throw std::invalid_argument(std::string("integer scores: a ") + what + " entry leaves int8");
      residual = std::max(residual, std::fabs(x - rounded));
      bound = std::max(bound, static_cast<int>(std::fabs(rounded)));
      out[static_cast<std::size_t>(r) * static_cast<std::size_t>(width) + static_cast<std::size_t>(c)] =
          static_cast<std::int8_t>(rounded);
    }
  return residual;
}

}  // namespace

template <class Scalar>
IntegerHeadInputs round_last_layer_head(const TypedTransformer<Scalar>& model, const RowMatrix<Scalar>& last_layer_input,
                                        std::span<const std::int64_t> output_positions, int head) {
  const TypedHead<Scalar>& h = model.layers.back().at(static_cast<std::size_t>(head));
  if (!(h.integer_score_unit > 0)) throw std::invalid_argument("integer scores: the head makes no integer promise");
  if (h.position_slope != 0) throw std::invalid_argument("integer scores: the head has a position slope");
  RowMatrix<Scalar> xq(static_cast<Eigen::Index>(output_positions.size()), model.d_model);
  for (std::size_t r = 0; r < output_positions.size(); ++r)
    xq.row(static_cast<Eigen::Index>(r)) = last_layer_input.row(output_positions[r]);

  IntegerHeadInputs in;
  in.key_width = static_cast<int>(h.key_t.cols());
  in.padded_key_width = (in.key_width + kTensorCoreK - 1) / kTensorCoreK * kTensorCoreK;
  in.value_width = static_cast<int>(h.value_t.cols());
  if (in.value_width > kMaxLevelValueWidth) throw std::invalid_argument("integer scores: value width over 17");
  in.unit = h.integer_score_unit;
  in.query_residual = round_rows<Scalar>(xq * h.query_t, in.unit, in.padded_key_width, in.queries, in.query_bound, "query");
  in.key_residual = round_rows<Scalar>(last_layer_input * h.key_t, 1.0, in.padded_key_width, in.keys, in.key_bound, "key");
  in.value_residual =
      round_rows<Scalar>(last_layer_input * h.value_t, 1.0, in.value_width, in.values, in.value_bound, "value");
  return in;
}

std::int64_t allowed_keys(const RelativeWindow& window, std::int64_t position, std::int64_t keys) {
  const std::int64_t first = std::max<std::int64_t>(0, position - window.hi);
  const std::int64_t last = std::min<std::int64_t>(keys - 1, position - window.lo);
  return std::max<std::int64_t>(0, last - first + 1);
}

std::int32_t integer_score(const IntegerHeadInputs& in, std::int64_t query_row, std::int64_t key) {
  const auto w = static_cast<std::size_t>(in.padded_key_width);
  const std::int8_t* q = in.queries.data() + static_cast<std::size_t>(query_row) * w;
  const std::int8_t* k = in.keys.data() + static_cast<std::size_t>(key) * w;
  std::int32_t dot = 0;
  for (std::size_t r = 0; r < w; ++r) dot += static_cast<std::int32_t>(q[r]) * static_cast<std::int32_t>(k[r]);
  return dot;
}

std::vector<HostLevelStats> integer_attention_levels(const IntegerHeadInputs& in,
                                                     std::span<const std::int64_t> positions,
                                                     const RelativeWindow& window, int threads) {
  const auto rows = static_cast<std::int64_t>(positions.size());
  const auto keys = static_cast<std::int64_t>(in.keys.size() / static_cast<std::size_t>(in.padded_key_width));
  std::vector<HostLevelStats> stats(static_cast<std::size_t>(rows));
#pragma omp parallel for schedule(dynamic, 16) num_threads(std::max(threads, 1))
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t p = positions[static_cast<std::size_t>(r)];
    const std::int64_t first = std::max<std::int64_t>(0, p - window.hi);
    const std::int64_t last = std::min<std::int64_t>(keys - 1, p - window.lo);
    HostLevelStats& s = stats[static_cast<std::size_t>(r)];
    for (std::int64_t j = first; j <= last; ++j) {
      const std::int32_t score = integer_score(in, r, j);
      if (s.relevant(score))
        s.add(score, in.values.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(in.value_width),
              in.value_width);
    }
  }
  return stats;
}

template IntegerHeadInputs round_last_layer_head<float>(const TypedTransformer<float>&, const RowMatrix<float>&,
                                                        std::span<const std::int64_t>, int);
template IntegerHeadInputs round_last_layer_head<double>(const TypedTransformer<double>&, const RowMatrix<double>&,
                                                         std::span<const std::int64_t>, int);

}  // namespace copyproof::construction

namespace copyproof::construction {

template <class Scalar>
void finish_integer_rows(const TypedTransformer<Scalar>& model, const RowMatrix<Scalar>& output_inputs,
                         const std::vector<std::vector<HostLevelStats>>& stats_per_head,
                         const std::vector<IntegerHeadInputs>& heads, std::span<const std::int64_t> output_positions,
                         std::int64_t keys, IntegerLastLayer& result, int threads) {
  const auto& last = model.layers.back();
  const auto rows = static_cast<Eigen::Index>(output_positions.size());
  const RowMatrix<double> unembed_t = model.unembedding_t.template cast<double>();  // (d_model, vocab)
  // Per head: how its output moves the logits, (d_v, vocab) = W_o^T U^T, and the largest
  // |logit change| per unit change of one output coordinate (max_v sum_c |.|).
  std::vector<RowMatrix<double>> out_to_logits;
  std::vector<double> logit_gain;
  for (const auto& h : last) {
    out_to_logits.push_back(h.output_t.template cast<double>() * unembed_t);
    logit_gain.push_back(out_to_logits.back().cwiseAbs().colwise().sum().maxCoeff());
  }
  result.logits.resize(rows, unembed_t.cols());
  result.log_normalizer.resize(rows, static_cast<Eigen::Index>(last.size()));
  result.predictions.resize(static_cast<std::size_t>(rows));
  result.margins.resize(static_cast<std::size_t>(rows));
  std::vector<double> head_output_error(last.size(), 0.0);

#pragma omp parallel num_threads(std::max(threads, 1))
  {
    std::vector<double> worst(last.size(), 0.0);
    Eigen::RowVectorXd out(kMaxLevelValueWidth);
#pragma omp for schedule(static)
    for (Eigen::Index r = 0; r < rows; ++r) {
      auto logits = result.logits.row(r);
      logits.noalias() = output_inputs.row(r).template cast<double>() * unembed_t;
      for (std::size_t h = 0; h < last.size(); ++h) {
        const IntegerHeadInputs& in = heads[h];
        const std::int64_t seen = allowed_keys(last[h].window, output_positions[static_cast<std::size_t>(r)], keys);
        const LevelSoftmax soft = finish_level_softmax(stats_per_head[h][static_cast<std::size_t>(r)], seen, in.unit,
                                                       in.value_bound, in.value_width, out.data());
        worst[h] = std::max(worst[h], soft.output_error_bound);
        result.log_normalizer(r, static_cast<Eigen::Index>(h)) = soft.log_normalizer;
        logits.noalias() += out.head(in.value_width) * out_to_logits[h];
      }
      const Token best = argmax_token(logits);
      double runner_up = -INFINITY;
      for (Eigen::Index v = 0; v < logits.size(); ++v)
        if (v != best) runner_up = std::max(runner_up, logits(v));
      result.predictions[static_cast<std::size_t>(r)] = best;
      result.margins[static_cast<std::size_t>(r)] = logits(best) - runner_up;
    }
#pragma omp critical
    for (std::size_t h = 0; h < last.size(); ++h) head_output_error[h] = std::max(head_output_error[h], worst[h]);
  }

  for (std::size_t h = 0; h < last.size(); ++h) {
    const IntegerHeadInputs& in = heads[h];
    result.score_rounding_bound = std::max(result.score_rounding_bound, in.score_rounding_bound());
    result.max_output_error = std::max(result.max_output_error, head_output_error[h]);
    // Scores off by <= delta move each softmax weight by a factor within e^{+-2 delta}.
    const double rounding = std::expm1(2 * in.score_rounding_bound()) * in.value_bound;
    result.logit_error_bound += (head_output_error[h] + rounding) * logit_gain[h];
  }
}

template <class Scalar>
IntegerLastLayer integer_last_layer(const TypedTransformer<Scalar>& model, const RowMatrix<Scalar>& last_layer_input,
                                    std::span<const std::int64_t> output_positions, int threads) {
  IntegerLastLayer result;
  std::vector<std::vector<HostLevelStats>> stats;
  const auto& last = model.layers.back();
  for (std::size_t h = 0; h < last.size(); ++h) {
    result.heads.push_back(round_last_layer_head(model, last_layer_input, output_positions, static_cast<int>(h)));
    stats.push_back(integer_attention_levels(result.heads.back(), output_positions, last[h].window, threads));
  }
  RowMatrix<Scalar> xq(static_cast<Eigen::Index>(output_positions.size()), model.d_model);
  for (std::size_t r = 0; r < output_positions.size(); ++r)
    xq.row(static_cast<Eigen::Index>(r)) = last_layer_input.row(output_positions[r]);
  finish_integer_rows(model, xq, stats, result.heads, output_positions, last_layer_input.rows(), result, threads);
  return result;
}

template void finish_integer_rows<float>(const TypedTransformer<float>&, const RowMatrix<float>&,
                                         const std::vector<std::vector<HostLevelStats>>&,
                                         const std::vector<IntegerHeadInputs>&, std::span<const std::int64_t>,
                                         std::int64_t, IntegerLastLayer&, int);
template void finish_integer_rows<double>(const TypedTransformer<double>&, const RowMatrix<double>&,
                                          const std::vector<std::vector<HostLevelStats>>&,
                                          const std::vector<IntegerHeadInputs>&, std::span<const std::int64_t>,
                                          std::int64_t, IntegerLastLayer&, int);
template IntegerLastLayer integer_last_layer<float>(const TypedTransformer<float>&, const RowMatrix<float>&,
                                                    std::span<const std::int64_t>, int);
template IntegerLastLayer integer_last_layer<double>(const TypedTransformer<double>&, const RowMatrix<double>&,
                                                     std::span<const std::int64_t>, int);

}  // namespace copyproof::construction
