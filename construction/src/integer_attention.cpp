#include "copyproof/construction/integer_attention.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "copyproof/construction/tensor_core_padding.hpp"

namespace copyproof::construction {

double IntegerHeadInputs::score_rounding_bound() const {
  // <q, k> = unit <q/unit, k>; with q/unit = a + da, k = c + dc (a, c integers):
  // |<a + da, c + dc> - <a, c>| <= d_k (|a|max |dc| + |c|max |da| + |da| |dc|).
  return unit * key_width * (query_bound * key_residual + key_bound * query_residual + query_residual * key_residual);
}

namespace {

// Rounds `m / scale` into int8 rows of `width` entries (zero padded); returns the residual.
// Integers outside int8 go to `wide` when given (their int8 slot stays 0), else throw.
template <class Scalar>
double round_rows(const RowMatrix<Scalar>& m, double scale, int width, std::vector<std::int8_t>& out, int& bound,
                  const char* what, std::vector<IntegerHeadInputs::WideEntry>* wide = nullptr) {
  out.assign(static_cast<std::size_t>(m.rows()) * static_cast<std::size_t>(width), 0);
  double residual = 0;
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
      const double x = static_cast<double>(m(r, c)) / scale;
      const double rounded = std::nearbyint(x);
      // 2^24: integers a float holds exactly, far beyond any score that fits int32 below.
      if (!(std::fabs(rounded) <= (wide ? double{1 << 24} : 127.0)))
        throw std::invalid_argument(std::string("integer scores: a ") + what + " entry leaves " +
                                    (wide ? "[-2^24, 2^24]" : "int8 (|integer| <= 127)"));
      residual = std::max(residual, std::fabs(x - rounded));
      bound = std::max(bound, static_cast<int>(std::fabs(rounded)));
      if (std::fabs(rounded) > 127) {
        wide->push_back({static_cast<std::int64_t>(r), static_cast<int>(c), static_cast<std::int32_t>(rounded)});
        continue;
      }
      out[static_cast<std::size_t>(r) * static_cast<std::size_t>(width) + static_cast<std::size_t>(c)] =
          static_cast<std::int8_t>(rounded);
    }
  return residual;
}

}  // namespace

template <class Scalar>
IntegerHeadInputs round_last_layer_head(const TypedTransformer<Scalar>& model,
                                        const RowMatrix<Scalar>& last_layer_input,
                                        std::span<const std::int64_t> output_positions, int head) {
  return round_last_layer_head(model, last_layer_input, output_positions, head, IntegerRounding{});
}

template <class Scalar>
IntegerHeadInputs round_last_layer_head(const TypedTransformer<Scalar>& model,
                                        const RowMatrix<Scalar>& last_layer_input,
                                        std::span<const std::int64_t> output_positions, int head,
                                        const IntegerRounding& rounding) {
  const TypedHead<Scalar>& h = model.layers.back().at(static_cast<std::size_t>(head));
  if (!(h.integer_score_unit > 0)) throw std::invalid_argument("integer scores: the head makes no integer promise");
  if (h.position_slope != 0) throw std::invalid_argument("integer scores: the head has a position slope");
  RowMatrix<Scalar> xq(static_cast<Eigen::Index>(output_positions.size()), model.d_model);
  for (std::size_t r = 0; r < output_positions.size(); ++r)
    xq.row(static_cast<Eigen::Index>(r)) = last_layer_input.row(output_positions[r]);

  IntegerHeadInputs in;
  in.key_width = static_cast<int>(h.key_t.cols());
  in.padded_key_width = padded_key_width(in.key_width);
  in.value_width = static_cast<int>(h.value_t.cols());
  if (in.value_width > kMaxLevelValueWidth) throw std::invalid_argument("integer scores: value width over 17");
  in.unit = h.integer_score_unit;
  in.query_residual = round_rows<Scalar>(xq * h.query_t, in.unit, in.padded_key_width, in.queries, in.query_bound,
                                         "query", rounding.wide_entries ? &in.wide_queries : nullptr);
  in.key_residual = round_rows<Scalar>(last_layer_input * h.key_t, 1.0, in.padded_key_width, in.keys, in.key_bound,
                                       "key", rounding.wide_entries ? &in.wide_keys : nullptr);
  in.value_residual =
      round_rows<Scalar>(last_layer_input * h.value_t, 1.0, in.value_width, in.values, in.value_bound, "value");
  // Every score is a sum of d_k products of at most query_bound * key_bound: int32 must hold it.
  if (static_cast<double>(in.key_width) * in.query_bound * in.key_bound >= 2147483647.0)
    throw std::invalid_argument("integer scores: d_k * max|query| * max|key| = " +
                                std::to_string(static_cast<double>(in.key_width) * in.query_bound * in.key_bound) +
                                " leaves int32");
  return in;
}

std::int64_t allowed_keys(const RelativeWindow& window, std::int64_t position, std::int64_t keys) {
  const std::int64_t first = window_first_key(window, position);
  const std::int64_t last = window_last_key(window, position, keys);
  return std::max<std::int64_t>(0, last - first + 1);
}

std::int32_t integer_score(const IntegerHeadInputs& in, std::int64_t query_row, std::int64_t key) {
  const auto w = static_cast<std::size_t>(in.padded_key_width);
  const std::int8_t* q = in.queries.data() + static_cast<std::size_t>(query_row) * w;
  const std::int8_t* k = in.keys.data() + static_cast<std::size_t>(key) * w;
  std::int32_t dot = 0;
  for (std::size_t r = 0; r < w; ++r) dot += static_cast<std::int32_t>(q[r]) * static_cast<std::int32_t>(k[r]);
  if (in.wide_queries.empty() && in.wide_keys.empty()) return dot;
  // A wide entry's int8 slot is 0: add its product with the other side's full entry.
  using Wide = IntegerHeadInputs::WideEntry;
  auto entries = [](const std::vector<Wide>& list, std::int64_t row) {
    const auto by_row = [](const Wide& e, std::int64_t r) { return e.row < r; };
    const auto first = std::lower_bound(list.begin(), list.end(), row, by_row);
    auto last = first;
    while (last != list.end() && last->row == row) ++last;
    return std::pair{first, last};
  };
  const auto [qw, qw_end] = entries(in.wide_queries, query_row);
  const auto [kw, kw_end] = entries(in.wide_keys, key);
  auto full_key = [&](int c) {
    for (auto e = kw; e != kw_end; ++e)
      if (e->column == c) return e->value;
    return static_cast<std::int32_t>(k[static_cast<std::size_t>(c)]);
  };
  for (auto e = qw; e != qw_end; ++e) dot += e->value * full_key(e->column);
  for (auto e = kw; e != kw_end; ++e)
    dot += static_cast<std::int32_t>(q[static_cast<std::size_t>(e->column)]) * e->value;
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
    const std::int64_t first = window_first_key(window, p);
    const std::int64_t last = window_last_key(window, p, keys);
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
template IntegerHeadInputs round_last_layer_head<float>(const TypedTransformer<float>&, const RowMatrix<float>&,
                                                        std::span<const std::int64_t>, int, const IntegerRounding&);
template IntegerHeadInputs round_last_layer_head<double>(const TypedTransformer<double>&, const RowMatrix<double>&,
                                                         std::span<const std::int64_t>, int, const IntegerRounding&);
template IntegerHeadInputs round_last_layer_head<double>(const TypedTransformer<double>&, const RowMatrix<double>&,
                                                         std::span<const std::int64_t>, int);

}  // namespace copyproof::construction

namespace copyproof::construction {

template <class Scalar>
IntegerRowFinisher::IntegerRowFinisher(const TypedTransformer<Scalar>& model)
    : unembed_t_(model.unembedding_t.template cast<double>()) {
  for (const auto& h : model.layers.back()) {
    out_to_logits_.push_back(h.output_t.template cast<double>() * unembed_t_);
    logit_gain_.push_back(out_to_logits_.back().cwiseAbs().colwise().sum().maxCoeff());
  }
}

template <class Scalar>
void IntegerRowFinisher::residual_logits(const Scalar* stream_row, double* logits) const {
  const auto d = unembed_t_.rows();
  Eigen::Map<Eigen::RowVectorXd>(logits, unembed_t_.cols()).noalias() =
      Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>>(stream_row, d).template cast<double>() * unembed_t_;
}

LevelSoftmax IntegerRowFinisher::add_head(std::size_t h, const HostLevelStats& stats, std::int64_t seen, double unit,
                                          int value_bound, int value_width, double* logits) const {
  double out[kMaxLevelValueWidth];
  const LevelSoftmax soft = finish_level_softmax(stats, seen, unit, value_bound, value_width, out);
  Eigen::Map<Eigen::RowVectorXd>(logits, unembed_t_.cols()).noalias() +=
      Eigen::Map<const Eigen::RowVectorXd>(out, value_width) * out_to_logits_[h];
  return soft;
}

std::pair<Token, double> IntegerRowFinisher::top(const double* logits) const {
  const Eigen::Map<const Eigen::RowVectorXd> row(logits, unembed_t_.cols());
  const Token best = argmax_token(row);
  double runner_up = -INFINITY;
  for (Eigen::Index v = 0; v < row.size(); ++v)
    if (v != best) runner_up = std::max(runner_up, row(v));
  return {best, row(best) - runner_up};
}

double IntegerRowFinisher::logit_error(std::size_t h, double output_error, double score_rounding_bound, int value_bound,
                                       double value_residual) const {
  // Against the float forward, which uses the values v and the exact scores: the integer
  // path uses round(v) (|v - round(v)| <= value_residual per coordinate; the weights sum to
  // 1, so the output moves by at most value_residual), and scores off by <= delta move each
  // softmax weight by a factor within e^{+-2 delta}, applied to values |v| <= value_bound +
  // value_residual.
  const double rounding = std::expm1(2 * score_rounding_bound) * (value_bound + value_residual) + value_residual;
  return (output_error + rounding) * logit_gain_[h];
}

template IntegerRowFinisher::IntegerRowFinisher(const TypedTransformer<float>&);
template IntegerRowFinisher::IntegerRowFinisher(const TypedTransformer<double>&);
template void IntegerRowFinisher::residual_logits<float>(const float*, double*) const;
template void IntegerRowFinisher::residual_logits<double>(const double*, double*) const;

template <class Scalar>
void finish_integer_rows(const TypedTransformer<Scalar>& model, const RowMatrix<Scalar>& output_inputs,
                         const std::vector<std::vector<HostLevelStats>>& stats_per_head,
                         const std::vector<IntegerHeadInputs>& heads, std::span<const std::int64_t> output_positions,
                         std::int64_t keys, IntegerLastLayer& result, int threads) {
  const auto& last = model.layers.back();
  const auto rows = static_cast<Eigen::Index>(output_positions.size());
  const IntegerRowFinisher finisher(model);
  result.logits.resize(rows, finisher.vocab());
  result.log_normalizer.resize(rows, static_cast<Eigen::Index>(last.size()));
  result.predictions.resize(static_cast<std::size_t>(rows));
  result.margins.resize(static_cast<std::size_t>(rows));
  std::vector<double> head_output_error(last.size(), 0.0);

#pragma omp parallel num_threads(std::max(threads, 1))
  {
    std::vector<double> worst(last.size(), 0.0);
#pragma omp for schedule(static)
    for (Eigen::Index r = 0; r < rows; ++r) {
      double* logits = result.logits.row(r).data();
      finisher.residual_logits(output_inputs.row(r).data(), logits);
      for (std::size_t h = 0; h < last.size(); ++h) {
        const IntegerHeadInputs& in = heads[h];
        const std::int64_t seen = allowed_keys(last[h].window, output_positions[static_cast<std::size_t>(r)], keys);
        const LevelSoftmax soft = finisher.add_head(h, stats_per_head[h][static_cast<std::size_t>(r)], seen, in.unit,
                                                    in.value_bound, in.value_width, logits);
        worst[h] = std::max(worst[h], soft.output_error_bound);
        result.log_normalizer(r, static_cast<Eigen::Index>(h)) = soft.log_normalizer;
      }
      const auto [best, margin] = finisher.top(logits);
      result.predictions[static_cast<std::size_t>(r)] = best;
      result.margins[static_cast<std::size_t>(r)] = margin;
    }
#pragma omp critical
    for (std::size_t h = 0; h < last.size(); ++h) head_output_error[h] = std::max(head_output_error[h], worst[h]);
  }

  for (std::size_t h = 0; h < last.size(); ++h) {
    const IntegerHeadInputs& in = heads[h];
    result.score_rounding_bound = std::max(result.score_rounding_bound, in.score_rounding_bound());
    result.max_output_error = std::max(result.max_output_error, head_output_error[h]);
    result.logit_error_bound +=
        finisher.logit_error(h, head_output_error[h], in.score_rounding_bound(), in.value_bound, in.value_residual);
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
