#include "copyproof/construction/emulated_forward.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace copyproof::construction {
namespace {

void round_matrix(RowMatrix<float>& m, FloatFormat format) { round_all(m.data(), m.size(), format); }

// One head's attention output for every query, in the rounding model of the header.
RowMatrix<float> attend_emulated(const TypedHead<float>& head, const RowMatrix<float>& q,
                                 std::span<const std::int64_t> positions, const RowMatrix<float>& k,
                                 const RowMatrix<float>& v, FloatFormat format, bool round_scores, int threads) {
  const auto nq = static_cast<std::int64_t>(q.rows()), nk = static_cast<std::int64_t>(k.rows());
  const float slope = static_cast<float>(head.position_slope);  // already rounded to the format
  RowMatrix<float> out = RowMatrix<float>::Zero(nq, v.cols());
#pragma omp parallel num_threads(threads)
  {
    std::vector<float> scores;
    Eigen::Matrix<float, 1, Eigen::Dynamic> acc(v.cols());
#pragma omp for schedule(dynamic, 16)
    for (std::int64_t r = 0; r < nq; ++r) {
      const std::int64_t pos = positions[static_cast<std::size_t>(r)];
      const std::int64_t j0 = window_first_key(head.window, pos), j1 = window_last_key(head.window, pos, nk);
      if (j0 > j1) continue;  // empty window: output 0
      scores.resize(static_cast<std::size_t>(j1 - j0 + 1));
      float m = -std::numeric_limits<float>::infinity();
      for (std::int64_t j = j0; j <= j1; ++j) {
        float s = q.row(r).dot(k.row(j)) + slope * static_cast<float>(pos - j);
        if (round_scores) s = round_to_format(s, format);
        scores[static_cast<std::size_t>(j - j0)] = s;
        m = std::max(m, s);
      }
      float l = 0;
      acc.setZero();
      for (std::int64_t j = j0; j <= j1; ++j) {
        const float p = std::exp(scores[static_cast<std::size_t>(j - j0)] - m);
        l += p;
        acc += round_to_format(p, format) * v.row(j);
      }
      out.row(r) = acc / l;
    }
  }
  round_matrix(out, format);
  return out;
}

// Adds every head of `layer` (queries at `positions` from xq, keys/values from x) into
// `stream` in binary32; the caller rounds the stream afterwards.
void run_layer(const std::vector<TypedHead<float>>& layer, const RowMatrix<float>& x, const RowMatrix<float>& xq,
               std::span<const std::int64_t> positions, RowMatrix<float>& stream, FloatFormat format, bool round_scores,
               int threads, std::vector<RowMatrix<float>>* keep_queries, std::vector<RowMatrix<float>>* keep_keys) {
  for (const auto& head : layer) {
    RowMatrix<float> q = xq * head.query_t, k = x * head.key_t, v = x * head.value_t;
    round_matrix(q, format);
    round_matrix(k, format);
    round_matrix(v, format);
    const RowMatrix<float> o = attend_emulated(head, q, positions, k, v, format, round_scores, threads);
    RowMatrix<float> projected = o * head.output_t;
    round_matrix(projected, format);
    stream += projected;
    if (keep_queries) keep_queries->push_back(std::move(q));
    if (keep_keys) keep_keys->push_back(std::move(k));
  }
}

}  // namespace

EmulatedTransformer::EmulatedTransformer(const Transformer& model, FloatFormat f, bool scores_rounded)
    : format(f), round_scores(scores_rounded), typed(model) {
  round_matrix(typed.embedding_rows, f);
  round_matrix(typed.unembedding_t, f);
  for (auto& layer : typed.layers)
    for (auto& h : layer) {
      round_matrix(h.query_t, f);
      round_matrix(h.key_t, f);
      round_matrix(h.value_t, f);
      round_matrix(h.output_t, f);
      h.position_slope = round_to_format(static_cast<float>(h.position_slope), f);
    }
}

EmulatedForwardResult emulated_forward(const EmulatedTransformer& model, std::span<const Token> tokens,
                                       std::span<const std::int64_t> output_positions, int threads) {
  const TypedTransformer<float>& m = model.typed;
  const auto n = static_cast<std::int64_t>(tokens.size());
  if (n == 0) throw std::invalid_argument("emulated_forward: empty sequence");
  for (Token t : tokens)
    if (t < 0 || t >= m.vocab) throw std::invalid_argument("emulated_forward: token outside the vocabulary");
  if (!std::is_sorted(output_positions.begin(), output_positions.end()) ||
      (!output_positions.empty() && (output_positions.front() < 0 || output_positions.back() >= n)))
    throw std::invalid_argument("emulated_forward: output positions must ascend within the sequence");
  threads = std::max(threads, 1);

  RowMatrix<float> x(n, m.d_model);
  for (std::int64_t i = 0; i < n; ++i) x.row(i) = m.embedding_rows.row(tokens[static_cast<std::size_t>(i)]);
  std::vector<std::int64_t> all(static_cast<std::size_t>(n));
  std::iota(all.begin(), all.end(), std::int64_t{0});
  for (std::size_t layer = 0; layer + 1 < m.layers.size(); ++layer) {
    RowMatrix<float> next = x;
    run_layer(m.layers[layer], x, x, all, next, model.format, model.round_scores, threads, nullptr, nullptr);
    round_matrix(next, model.format);
    x.swap(next);
  }

  EmulatedForwardResult result;
  const auto outputs = static_cast<std::int64_t>(output_positions.size());
  RowMatrix<float> xq(outputs, m.d_model);
  for (std::int64_t r = 0; r < outputs; ++r) xq.row(r) = x.row(output_positions[static_cast<std::size_t>(r)]);
  RowMatrix<float> stream = xq;
  run_layer(m.layers.back(), x, xq, output_positions, stream, model.format, model.round_scores, threads,
            &result.last_queries, &result.last_keys);
  round_matrix(stream, model.format);
  result.logits = stream * m.unembedding_t;
  round_matrix(result.logits, model.format);
  result.predictions.resize(static_cast<std::size_t>(outputs));
  for (std::int64_t r = 0; r < outputs; ++r)
    result.predictions[static_cast<std::size_t>(r)] = argmax_token(result.logits.row(r));
  result.last_layer_input = std::move(x);
  return result;
}

double emulated_key_mass(const EmulatedTransformer& model, const EmulatedForwardResult& result,
                         std::span<const std::int64_t> output_positions, int head, std::int64_t row,
                         std::int64_t key_position) {
  const TypedHead<float>& h = model.typed.layers.back().at(static_cast<std::size_t>(head));
  const RowMatrix<float>& q = result.last_queries.at(static_cast<std::size_t>(head));
  const RowMatrix<float>& k = result.last_keys.at(static_cast<std::size_t>(head));
  const std::int64_t pos = output_positions[static_cast<std::size_t>(row)];
  const std::int64_t j0 = window_first_key(h.window, pos), j1 = window_last_key(h.window, pos, k.rows());
  if (key_position < j0 || key_position > j1) return 0.0;
  const Eigen::VectorXd qd = q.row(row).cast<double>().transpose();
  std::vector<double> scores(static_cast<std::size_t>(j1 - j0 + 1));
  double m = -std::numeric_limits<double>::infinity();
  for (std::int64_t j = j0; j <= j1; ++j) {
    const double s = k.row(j).cast<double>().dot(qd.transpose()) + h.position_slope * static_cast<double>(pos - j);
    scores[static_cast<std::size_t>(j - j0)] = s;
    m = std::max(m, s);
  }
  double l = 0;
  for (double s : scores) l += std::exp(s - m);
  return std::exp(scores[static_cast<std::size_t>(key_position - j0)] - m) / l;
}

}  // namespace copyproof::construction
