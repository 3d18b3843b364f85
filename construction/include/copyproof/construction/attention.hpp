#pragma once
// Exact softmax attention of one head, never materialising a queries x keys matrix:
// keys are visited in tiles with an online softmax (running max m, running sum l,
// rescaled accumulator), so memory is O((queries + keys) * width).
//
// Queries sit at arbitrary ascending positions (the last layer only needs the positions
// that are predicted); key/value row j sits at position j. Window and slope follow
// transformer.hpp. Narrow windows (the banded heads of layer 1) take a direct per-row
// path; wide ones take the tiled path, multi-threaded over blocks of queries.

#include <Eigen/Core>

#include <cstdint>
#include <span>

#include "copyproof/construction/transformer.hpp"

namespace copyproof::construction {

template <class Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

template <class Scalar>
struct AttentionProblem {
  Eigen::Ref<const RowMatrix<Scalar>> queries;     // (nq, d_k)
  std::span<const std::int64_t> query_positions;   // (nq), ascending
  Eigen::Ref<const RowMatrix<Scalar>> keys;        // (nk, d_k), row j at position j
  Eigen::Ref<const RowMatrix<Scalar>> values;      // (nk, d_v)
  double position_slope = 0.0;
  RelativeWindow window;
};

// out (nq, d_v) = attention output; lse (nq), when non-null, = log sum_j exp(score(i, j))
// over the allowed keys (-inf for an empty window, whose output row is 0).
template <class Scalar>
void attend(const AttentionProblem<Scalar>& problem, Eigen::Ref<RowMatrix<Scalar>> out, Scalar* lse, int threads);

// One score as attend() computes it (for reading softmax masses off the lse afterwards).
template <class Scalar>
double attention_score(const AttentionProblem<Scalar>& problem, std::int64_t query_row, std::int64_t key_position);

// Windows at most this wide take the direct per-row path.
inline constexpr std::int64_t kBandedWindowLimit = 64;
// Keys per tile of the online softmax on the tiled path (the certificate's rounding model
// counts the rescalings and sums per tile).
inline constexpr std::int64_t kAttentionKeyTile = 256;

}  // namespace copyproof::construction
