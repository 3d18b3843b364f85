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

#include "copyproof/common/row_major.hpp"
#include "copyproof/construction/transformer.hpp"

namespace copyproof::construction {

template <class Scalar>
using RowMatrix = RowMajorMatrix<Scalar>;  // common/row_major.hpp
template <class Scalar>
using Vector = ColumnVector<Scalar>;

template <class Scalar>
struct AttentionProblem {
  Eigen::Ref<const RowMatrix<Scalar>> queries;    // (nq, d_k)
  std::span<const std::int64_t> query_positions;  // (nq), ascending
  Eigen::Ref<const RowMatrix<Scalar>> keys;       // (nk, d_k), row j at position j
  Eigen::Ref<const RowMatrix<Scalar>> values;     // (nk, d_v)
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

// The kernels' tile sizes and path switches, public so that the tests build their edge
// lengths from them (tests/tile_edges.hpp): a change made for speed moves the tests with it.
// Windows at most this wide take the direct per-row path.
inline constexpr std::int64_t kBandedWindowLimit = 64;
// Keys per tile of the online softmax on the tiled path (the certificate's rounding model
// counts the rescalings and sums per tile).
inline constexpr std::int64_t kAttentionKeyTile = 256;
// Query rows per block of the tiled path, the unit of work a thread takes (Eigen path and
// the hand-written float kernel alike).
inline constexpr std::int64_t kAttentionQueryBlock = 128;
// The hand-written float kernel's score micro-kernel: kFloatKernelRowsPerPass query rows x
// kFloatKernelKeysPerPass keys per pass, in vectors of kFloatKernelLanes floats (AVX-512).
inline constexpr int kFloatKernelRowsPerPass = 4;
inline constexpr int kFloatKernelKeysPerPass = 64;
inline constexpr int kFloatKernelLanes = 16;

// Which loop runs the float tiled path (attend<float> on wide windows). avx512 and portable
// are the hand-written kernel (float_attention.cpp: narrow-d_k score micro-kernel, exps only
// where the weight can be nonzero), the same IEEE operations in the same order, so they give
// identical bits; avx512 is compiled only where the target has AVX-512F/DQ. eigen is the
// earlier path (Eigen GEMMs per tile), kept as the reference the tests compare against, and
// taken for value widths above kMaxFloatKernelValueWidth. automatic: avx512 where compiled,
// else portable. attend<double> always takes the Eigen path.
enum class FloatAttentionKernel { automatic, portable, avx512, eigen };
inline constexpr int kMaxFloatKernelValueWidth = 8;
bool avx512_float_attention_compiled();
FloatAttentionKernel resolve(FloatAttentionKernel kernel);  // automatic -> what runs; throws if avx512 is not compiled
const char* to_string(FloatAttentionKernel kernel);
void attend_float(const AttentionProblem<float>& problem, Eigen::Ref<RowMatrix<float>> out, float* lse, int threads,
                  FloatAttentionKernel kernel);

// The exp of the hand-written float kernel, on one argument x <= 0 (tests): within
// kExpUlpsFp32 of e^x where e^x >= FLT_MIN, exactly 0 below (float_lanes.hpp derives the
// threshold), exactly 1 at 0.
float attention_exp(float x);

}  // namespace copyproof::construction
