#include "copyproof/construction/attention.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace copyproof::construction {
namespace {

constexpr std::int64_t kQueryBlock = kAttentionQueryBlock;
constexpr std::int64_t kKeyTile = kAttentionKeyTile;

template <class Scalar>
constexpr Scalar kNegInf = -std::numeric_limits<Scalar>::infinity();

template <class Scalar>
void check_shapes(const AttentionProblem<Scalar>& p, Eigen::Ref<RowMatrix<Scalar>> out) {
  if (p.queries.cols() != p.keys.cols()) throw std::invalid_argument("attend: query and key widths differ");
  if (p.values.rows() != p.keys.rows()) throw std::invalid_argument("attend: keys and values differ in count");
  if (static_cast<std::int64_t>(p.query_positions.size()) != p.queries.rows())
    throw std::invalid_argument("attend: one position per query");
  if (out.rows() != p.queries.rows() || out.cols() != p.values.cols()) throw std::invalid_argument("attend: out shape");
  if (!std::is_sorted(p.query_positions.begin(), p.query_positions.end()))
    throw std::invalid_argument("attend: query positions must ascend");
}

// Direct path for narrow windows: at most kBandedWindowLimit keys per query.
template <class Scalar>
void attend_banded(const AttentionProblem<Scalar>& p, Eigen::Ref<RowMatrix<Scalar>> out, Scalar* lse, int threads) {
  const std::int64_t nq = p.queries.rows(), nk = p.keys.rows(), dv = p.values.cols();
  const Scalar slope = static_cast<Scalar>(p.position_slope);
#pragma omp parallel num_threads(threads)
  {
    std::vector<Scalar> scores(static_cast<std::size_t>(kBandedWindowLimit + 1));
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < nq; ++r) {
      const std::int64_t pos = p.query_positions[static_cast<std::size_t>(r)];
      const std::int64_t j0 = window_first_key(p.window, pos), j1 = window_last_key(p.window, pos, nk);
      auto o = out.row(r);
      o.setZero();
      if (j0 > j1) {
        if (lse) lse[r] = kNegInf<Scalar>;
        continue;
      }
      Scalar m = kNegInf<Scalar>;
      for (std::int64_t j = j0; j <= j1; ++j) {
        const Scalar s = p.queries.row(r).dot(p.keys.row(j)) + slope * static_cast<Scalar>(pos - j);
        scores[static_cast<std::size_t>(j - j0)] = s;
        m = std::max(m, s);
      }
      Scalar l = 0;
      for (std::int64_t j = j0; j <= j1; ++j) {
        const Scalar w = std::exp(scores[static_cast<std::size_t>(j - j0)] - m);
        l += w;
        o.noalias() += w * p.values.row(j);
      }
      o /= l;
      if (lse) lse[r] = m + std::log(l);
      (void)dv;
    }
  }
}

// Sets every entry of row r outside columns [begin(r), end(r)) to `value`.
template <class Block, class Index>
void mask_outside(Block& s, const Index& begin, const Index& end, typename Block::Scalar value) {
  const auto cols = s.cols();
  for (Eigen::Index r = 0; r < s.rows(); ++r) {
    s.row(r).head(begin(r)).setConstant(value);
    s.row(r).tail(cols - end(r)).setConstant(value);
  }
}

// Tiled online-softmax path for wide windows (causal heads).
template <class Scalar>
void attend_tiled(const AttentionProblem<Scalar>& p, Eigen::Ref<RowMatrix<Scalar>> out, Scalar* lse, int threads) {
  using Matrix = RowMatrix<Scalar>;
  using Vec = Vector<Scalar>;
  const std::int64_t nq = p.queries.rows(), nk = p.keys.rows(), dv = p.values.cols();
  const std::int64_t blocks = (nq + kQueryBlock - 1) / kQueryBlock;
  const Scalar slope = static_cast<Scalar>(p.position_slope);
  const auto& pos = p.query_positions;

#pragma omp parallel num_threads(threads)
  {
    Matrix scores(kQueryBlock, kKeyTile);
    Matrix acc(kQueryBlock, dv);
    Vec m(kQueryBlock), l(kQueryBlock), tile_max(kQueryBlock), shift(kQueryBlock), rescale(kQueryBlock);
    Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> allowed_begin(kQueryBlock), allowed_end(kQueryBlock);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t r0 = b * kQueryBlock, nr = std::min(kQueryBlock, nq - r0);
      const std::int64_t pos_first = pos[static_cast<std::size_t>(r0)];
      const std::int64_t pos_last = pos[static_cast<std::size_t>(r0 + nr - 1)];
      const std::int64_t j_begin = window_first_key(p.window, pos_first),
                         j_end = window_last_key(p.window, pos_last, nk) + 1;
      auto m_b = m.head(nr);
      auto l_b = l.head(nr);
      auto acc_b = acc.topRows(nr);
      m_b.setConstant(kNegInf<Scalar>);
      l_b.setZero();
      acc_b.setZero();
      const auto q_b = p.queries.middleRows(r0, nr);

      for (std::int64_t k0 = j_begin; k0 < j_end; k0 += kKeyTile) {
        const std::int64_t nc = std::min(kKeyTile, j_end - k0);
        auto s = scores.topLeftCorner(nr, nc);
        s.noalias() = q_b * p.keys.middleRows(k0, nc).transpose();
        if (slope != Scalar(0)) {
          for (std::int64_t r = 0; r < nr; ++r)
            for (std::int64_t c = 0; c < nc; ++c)
              s(r, c) += slope * static_cast<Scalar>(pos[static_cast<std::size_t>(r0 + r)] - (k0 + c));
        }
        // Keys outside a row's window: -inf for the row max, and exactly 0 after the exp
        // (Eigen's vectorised exp clamps its argument, so exp(-inf) is a tiny positive there).
        // Only tiles at the window's edges need it.
        const bool whole_tile = k0 >= pos_last - p.window.hi && k0 + nc - 1 <= pos_first - p.window.lo;
        if (!whole_tile) {
          for (std::int64_t r = 0; r < nr; ++r) {
            const std::int64_t pr = pos[static_cast<std::size_t>(r0 + r)];
            allowed_begin(r) = std::clamp<std::int64_t>(pr - p.window.hi - k0, 0, nc);
            allowed_end(r) = std::max(allowed_begin(r), std::clamp<std::int64_t>(pr - p.window.lo - k0 + 1, 0, nc));
          }
          mask_outside(s, allowed_begin, allowed_end, kNegInf<Scalar>);
        }
        // Online softmax: new max, rescale what was summed so far, add this tile.
        tile_max.head(nr) = s.rowwise().maxCoeff();
        for (std::int64_t r = 0; r < nr; ++r) {
          const Scalar m_new = std::max(m_b(r), tile_max(r));
          // A row with nothing allowed yet keeps m = -inf; shifting by 0 keeps exp(-inf) = 0.
          shift(r) = m_new == kNegInf<Scalar> ? Scalar(0) : m_new;
          rescale(r) = std::exp(m_b(r) - shift(r));
          m_b(r) = m_new;
        }
        s.array().colwise() -= shift.head(nr).array();
        s.array() = s.array().exp();
        if (!whole_tile) mask_outside(s, allowed_begin, allowed_end, Scalar(0));
        l_b.array() = l_b.array() * rescale.head(nr).array() + s.rowwise().sum().array();
        acc_b.array().colwise() *= rescale.head(nr).array();
        acc_b.noalias() += s * p.values.middleRows(k0, nc);
      }
      for (std::int64_t r = 0; r < nr; ++r) {
        if (l_b(r) != Scalar(0)) {  // 0: nothing allowed; NaN (a NaN score) reaches the output
          out.row(r0 + r) = acc_b.row(r) / l_b(r);
          if (lse) lse[r0 + r] = m_b(r) + std::log(l_b(r));
        } else {
          out.row(r0 + r).setZero();
          if (lse) lse[r0 + r] = kNegInf<Scalar>;
        }
      }
    }
  }
}

}  // namespace

namespace detail {
void attend_float_lanes(const AttentionProblem<float>& p, Eigen::Ref<RowMatrix<float>> out, float* lse, int threads,
                        FloatAttentionKernel kernel);  // float_attention.cpp
}

void attend_float(const AttentionProblem<float>& problem, Eigen::Ref<RowMatrix<float>> out, float* lse, int threads,
                  FloatAttentionKernel kernel) {
  check_shapes(problem, out);
  threads = std::max(threads, 1);
  kernel = resolve(kernel);
  const std::int64_t width = problem.window.hi - problem.window.lo + 1;
  if (problem.window.bounded() && width <= kBandedWindowLimit)
    attend_banded(problem, out, lse, threads);
  else if (kernel == FloatAttentionKernel::eigen || problem.values.cols() > kMaxFloatKernelValueWidth)
    attend_tiled(problem, out, lse, threads);
  else
    detail::attend_float_lanes(problem, out, lse, threads, kernel);
}

template <class Scalar>
void attend(const AttentionProblem<Scalar>& problem, Eigen::Ref<RowMatrix<Scalar>> out, Scalar* lse, int threads) {
  if constexpr (std::is_same_v<Scalar, float>)
    return attend_float(problem, out, lse, threads, FloatAttentionKernel::automatic);
  check_shapes(problem, out);
  threads = std::max(threads, 1);
  const std::int64_t width = problem.window.hi - problem.window.lo + 1;
  if (problem.window.bounded() && width <= kBandedWindowLimit)
    attend_banded(problem, out, lse, threads);
  else
    attend_tiled(problem, out, lse, threads);
}

template <class Scalar>
double attention_score(const AttentionProblem<Scalar>& p, std::int64_t query_row, std::int64_t key_position) {
  const std::int64_t pos = p.query_positions[static_cast<std::size_t>(query_row)];
  return static_cast<double>(p.queries.row(query_row).dot(p.keys.row(key_position)) +
                             static_cast<Scalar>(p.position_slope) * static_cast<Scalar>(pos - key_position));
}

template void attend<float>(const AttentionProblem<float>&, Eigen::Ref<RowMatrix<float>>, float*, int);
template void attend<double>(const AttentionProblem<double>&, Eigen::Ref<RowMatrix<double>>, double*, int);
template double attention_score<float>(const AttentionProblem<float>&, std::int64_t, std::int64_t);
template double attention_score<double>(const AttentionProblem<double>&, std::int64_t, std::int64_t);

}  // namespace copyproof::construction
