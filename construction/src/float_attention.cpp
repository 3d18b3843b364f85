// The float tiled attention path with hand-written lanes (float_lanes.hpp): the same online
// softmax as the Eigen path in attention.cpp (query blocks, key tiles of kAttentionKeyTile, one
// rescaling per tile), with
//   - the scores of a tile computed 4 rows x 64 keys at a time from a transposed copy of the
//     tile's keys (one per block and tile, depth d_k), each score the fma chain
//     q_0 k_0, then + q_c k_c for c = 1 .. d_k - 1 in order;
//   - exp taken only where the weight can be nonzero: arguments below kExpFlushBelow (and the
//     masked keys) are the ones exp_flushed returns 0 for, so they are dropped before the exp
//     and the rest packed 16 to a vector in key order (AVX-512 VCOMPRESSPS), then put back in
//     their keys' lanes (VEXPANDPS) with 0 elsewhere;
//   - each tile's weight sum and weighted values summed in 16 lanes (key k of the tile in lane
//     k mod 16, groups in key order; a dropped key adds an exact 0 or nothing, the same), then
//     by a fixed tree; then
//     l = fma(l, rescale, tile sum), likewise each output coordinate.
// Rounding: every step is inside the certificate's model (certificate_layer2.cpp): the score is
// one chain of d_k roundings, a tile's sums take at most 16 + 4 additions per weight (the model
// allows kAttentionKeyTile) and 1 per tile for the rescaling (it allows 2), the exp is within
// kExpUlpsFp32, and a flushed weight is off by less than FLT_MIN (its underflow term).

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "copyproof/construction/attention.hpp"
#include "float_lanes.hpp"

namespace copyproof::construction {
namespace {

namespace fl = float_lanes;

constexpr std::int64_t kQueryBlock = kAttentionQueryBlock;
constexpr std::int64_t kKeyTile = kAttentionKeyTile;
constexpr int kRowsPerPass = kFloatKernelRowsPerPass;  // score micro-kernel: 4 rows ...
constexpr int kKeysPerPass = kFloatKernelKeysPerPass;  // ... x 64 keys (16 accumulators of 16 lanes)
static_assert(kKeysPerPass == 4 * kFloatKernelLanes && kFloatKernelLanes == 16,
              "score_rows keeps 4 accumulators of 16 lanes per row (float_lanes.hpp's vector width)");
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct TileScratch {
  std::vector<float> keys_t;    // (d_k, kKeyTile): the tile's keys, transposed, zero-padded
  std::vector<float> scores;    // (kRowsPerPass, kKeyTile)
  std::vector<float> values_t;  // (d_v, kKeyTile): the tile's values, transposed, zero-padded
  std::vector<float, Eigen::aligned_allocator<float>>
      kept;                       // exp arguments that can give a nonzero weight, packed, then their weights
  fl::Mask masks[kKeyTile / 16];  // which lanes of each 16-key group were packed
};

// Scores of rows [0, rows) (rows <= kRowsPerPass, their query pointers in q) against the
// tile's keys [c0, c1) (multiples of kKeysPerPass inside the padded tile).
template <class L, int Rows>
void score_rows(const float* const* q, std::int64_t dk, const float* keys_t, std::int64_t c0, std::int64_t c1,
                float* scores) {
  for (std::int64_t c = c0; c < c1; c += kKeysPerPass) {
    typename L::F acc[Rows][4];
    for (int r = 0; r < Rows; ++r)
      for (int g = 0; g < 4; ++g) acc[r][g] = L::zero();
    for (std::int64_t k = 0; k < dk; ++k) {
      const float* kt = keys_t + k * kKeyTile + c;
      const typename L::F k0 = L::load(kt), k1 = L::load(kt + 16), k2 = L::load(kt + 32), k3 = L::load(kt + 48);
      for (int r = 0; r < Rows; ++r) {
        const typename L::F qk = L::set1(q[r][k]);
        acc[r][0] = L::fma(qk, k0, acc[r][0]);
        acc[r][1] = L::fma(qk, k1, acc[r][1]);
        acc[r][2] = L::fma(qk, k2, acc[r][2]);
        acc[r][3] = L::fma(qk, k3, acc[r][3]);
      }
    }
    for (int r = 0; r < Rows; ++r)
      for (int g = 0; g < 4; ++g) L::store(scores + r * kKeyTile + c + 16 * g, acc[r][g]);
  }
}

// Running state of one query row across tiles.
struct RowState {
  float m = kNegInf, l = 0.0f;
  float acc[kMaxFloatKernelValueWidth] = {};
};

// One row's online-softmax step over the tile's keys [b, e) (offsets in the tile).
// Dv: the value width rounded up to 1, 2, 3, 4 or 8 (a compile-time count keeps the sums in
// registers; values_t's rows past d_v are 0, so their sums stay 0 and are not read).
template <class L, int Dv>
void softmax_tile_row(const float* s, std::int64_t b, std::int64_t e, TileScratch& t, RowState& st) {
  const std::int64_t g0 = b / 16, g1 = (e + 15) / 16;
  // Only the first and last groups can be partial.
  const fl::Mask first_mask = fl::range_mask(b - 16 * g0, e - 16 * g0),
                 last_mask = fl::range_mask(b - 16 * (g1 - 1), e - 16 * (g1 - 1));
  auto allowed = [&](std::int64_t g) { return g == g0 ? first_mask : (g == g1 - 1 ? last_mask : fl::Mask{0xFFFFu}); };
  typename L::F vmax = L::set1(kNegInf);
  for (std::int64_t g = g0; g < g1; ++g) vmax = L::mask_max(vmax, allowed(g), L::load(s + 16 * g));
  const float tile_max = L::reduce_max(vmax);
  const float m_new = std::max(st.m, tile_max);
  // A row with nothing allowed yet keeps m = -inf; shifting by 0 keeps exp(-inf) = 0.
  const float shift = m_new == kNegInf ? 0.0f : m_new;
  const float rescale = fl::exp_flushed<fl::One>(st.m - shift);
  st.m = m_new;
  // The exp arguments whose weight can be nonzero, packed in key order; their exps, in place.
  const typename L::F shift_v = L::set1(shift);
  float* kept = t.kept.data();
  int count = 0;
  for (std::int64_t g = g0; g < g1; ++g) {
    const typename L::F x = L::sub(L::load(s + 16 * g), shift_v);
    const fl::Mask mask = allowed(g) & L::not_below_mask(x, fl::kExpFlushBelow);
    t.masks[g] = mask;
    L::compress_store(kept + count, mask, x);  // no branch on mask == 0: it would mispredict
    count += std::popcount(mask);
  }
  for (int i = 0; i < count; i += 16) L::store(kept + i, fl::exp_flushed<L>(L::load(kept + i)));
  // Back to their keys' lanes (the rest 0): lane k mod 16 sums key k's terms of this tile.
  typename L::F sum = L::zero();
  typename L::F acc[Dv];
  for (int c = 0; c < Dv; ++c) acc[c] = L::zero();
  count = 0;
  for (std::int64_t g = g0; g < g1; ++g) {
    const fl::Mask mask = t.masks[g];  // 0: w = 0, adding exact zeros (the sums start at +0, never -0)
    const typename L::F w = L::expand(mask, kept, count);
    count += std::popcount(mask);
    sum = L::add(sum, w);
    for (int c = 0; c < Dv; ++c) acc[c] = L::fma(w, L::load(t.values_t.data() + c * kKeyTile + 16 * g), acc[c]);
  }
  st.l = std::fma(st.l, rescale, L::reduce_add(sum));
  for (int c = 0; c < Dv; ++c) st.acc[c] = std::fma(st.acc[c], rescale, L::reduce_add(acc[c]));
}

template <class L, int Dv>
void attend_lanes(const AttentionProblem<float>& p, Eigen::Ref<RowMatrix<float>> out, float* lse, int threads) {
  const std::int64_t nq = p.queries.rows(), nk = p.keys.rows(), dk = p.queries.cols();
  const int dv = static_cast<int>(p.values.cols());
  const std::int64_t blocks = (nq + kQueryBlock - 1) / kQueryBlock;
  const float slope = static_cast<float>(p.position_slope);
  const auto& pos = p.query_positions;

#pragma omp parallel num_threads(threads)
  {
    TileScratch t;
    t.keys_t.assign(static_cast<std::size_t>(std::max<std::int64_t>(dk, 1) * kKeyTile), 0.0f);
    t.scores.assign(static_cast<std::size_t>(kRowsPerPass * kKeyTile), 0.0f);
    t.values_t.assign(static_cast<std::size_t>(Dv * kKeyTile), 0.0f);  // rows d_v .. Dv - 1 stay 0
    t.kept.assign(static_cast<std::size_t>(kKeyTile + 32), 0.0f);
    std::vector<RowState> state(static_cast<std::size_t>(kQueryBlock));
    std::int64_t begin[kRowsPerPass], end[kRowsPerPass];
    const float* q[kRowsPerPass];
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t blk = 0; blk < blocks; ++blk) {
      const std::int64_t r0 = blk * kQueryBlock, nr = std::min(kQueryBlock, nq - r0);
      const std::int64_t pos_first = pos[static_cast<std::size_t>(r0)];
      const std::int64_t pos_last = pos[static_cast<std::size_t>(r0 + nr - 1)];
      const std::int64_t j_begin = window_first_key(p.window, pos_first),
                         j_end = window_last_key(p.window, pos_last, nk) + 1;
      std::fill(state.begin(), state.begin() + nr, RowState{});
      for (std::int64_t k0 = j_begin; k0 < j_end; k0 += kKeyTile) {
        const std::int64_t nc = std::min(kKeyTile, j_end - k0);
        const std::int64_t padded = (nc + kKeysPerPass - 1) / kKeysPerPass * kKeysPerPass;
        for (std::int64_t c = 0; c < nc; ++c) {
          const float* key = p.keys.data() + (k0 + c) * p.keys.outerStride();
          for (std::int64_t k = 0; k < dk; ++k) t.keys_t[static_cast<std::size_t>(k * kKeyTile + c)] = key[k];
        }
        for (std::int64_t k = 0; k < dk; ++k) std::fill_n(t.keys_t.begin() + k * kKeyTile + nc, padded - nc, 0.0f);
        for (std::int64_t c = 0; c < nc; ++c) {
          const float* value = p.values.data() + (k0 + c) * p.values.outerStride();
          for (int d = 0; d < dv; ++d) t.values_t[static_cast<std::size_t>(d * kKeyTile + c)] = value[d];
        }
        for (int d = 0; d < dv; ++d) std::fill_n(t.values_t.begin() + d * kKeyTile + nc, padded - nc, 0.0f);
        for (std::int64_t r = 0; r < nr; r += kRowsPerPass) {
          const int rows = static_cast<int>(std::min<std::int64_t>(kRowsPerPass, nr - r));
          std::int64_t lo = nc, hi = 0;
          for (int i = 0; i < rows; ++i) {
            const std::int64_t pr = pos[static_cast<std::size_t>(r0 + r + i)];
            begin[i] = std::clamp<std::int64_t>(pr - p.window.hi - k0, 0, nc);
            end[i] = std::max(begin[i], std::clamp<std::int64_t>(pr - p.window.lo - k0 + 1, 0, nc));
            if (end[i] > begin[i]) lo = std::min(lo, begin[i]), hi = std::max(hi, end[i]);
            q[i] = p.queries.data() + (r0 + r + i) * p.queries.outerStride();
          }
          if (hi <= lo) continue;  // no row of these has a key here: l * 1 + 0 would change nothing
          const std::int64_t c0 = lo / kKeysPerPass * kKeysPerPass,
                             c1 = (hi + kKeysPerPass - 1) / kKeysPerPass * kKeysPerPass;
          switch (rows) {
            case 4: score_rows<L, 4>(q, dk, t.keys_t.data(), c0, c1, t.scores.data()); break;
            case 3: score_rows<L, 3>(q, dk, t.keys_t.data(), c0, c1, t.scores.data()); break;
            case 2: score_rows<L, 2>(q, dk, t.keys_t.data(), c0, c1, t.scores.data()); break;
            default: score_rows<L, 1>(q, dk, t.keys_t.data(), c0, c1, t.scores.data()); break;
          }
          for (int i = 0; i < rows; ++i) {
            if (end[i] <= begin[i]) continue;
            float* s = t.scores.data() + i * kKeyTile;
            if (slope != 0.0f) {
              const std::int64_t pr = pos[static_cast<std::size_t>(r0 + r + i)];
              for (std::int64_t c = begin[i]; c < end[i]; ++c) s[c] = s[c] + slope * static_cast<float>(pr - (k0 + c));
            }
            softmax_tile_row<L, Dv>(s, begin[i], end[i], t, state[static_cast<std::size_t>(r + i)]);
          }
        }
      }
      for (std::int64_t r = 0; r < nr; ++r) {
        const RowState& st = state[static_cast<std::size_t>(r)];
        auto o = out.row(r0 + r);
        if (st.l != 0.0f) {  // 0: nothing allowed; NaN (a NaN score) reaches the output
          for (int c = 0; c < dv; ++c) o(c) = st.acc[c] / st.l;
          if (lse) lse[r0 + r] = st.m + std::log(st.l);
        } else {
          o.setZero();
          if (lse) lse[r0 + r] = kNegInf;
        }
      }
    }
  }
}

template <class L>
void attend_lanes_dispatch(const AttentionProblem<float>& p, Eigen::Ref<RowMatrix<float>> out, float* lse,
                           int threads) {
  switch (p.values.cols()) {
    case 0:
    case 1: return attend_lanes<L, 1>(p, out, lse, threads);
    case 2: return attend_lanes<L, 2>(p, out, lse, threads);
    case 3: return attend_lanes<L, 3>(p, out, lse, threads);
    case 4: return attend_lanes<L, 4>(p, out, lse, threads);
    default: return attend_lanes<L, kMaxFloatKernelValueWidth>(p, out, lse, threads);
  }
}

}  // namespace

bool avx512_float_attention_compiled() {
#ifdef COPYPROOF_FLOAT_LANES_AVX512
  return true;
#else
  return false;
#endif
}

FloatAttentionKernel resolve(FloatAttentionKernel kernel) {
  if (kernel == FloatAttentionKernel::automatic)
    return avx512_float_attention_compiled() ? FloatAttentionKernel::avx512 : FloatAttentionKernel::portable;
  if (kernel == FloatAttentionKernel::avx512 && !avx512_float_attention_compiled())
    throw std::invalid_argument("attention: the AVX-512 float kernel is not compiled for this target");
  return kernel;
}

const char* to_string(FloatAttentionKernel kernel) {
  switch (kernel) {
    case FloatAttentionKernel::automatic: return "automatic";
    case FloatAttentionKernel::portable: return "portable";
    case FloatAttentionKernel::avx512: return "avx512";
    case FloatAttentionKernel::eigen: return "eigen";
  }
  return "?";
}

float attention_exp(float x) { return float_lanes::exp_flushed<float_lanes::One>(x); }

namespace detail {
void attend_float_lanes(const AttentionProblem<float>& p, Eigen::Ref<RowMatrix<float>> out, float* lse, int threads,
                        FloatAttentionKernel kernel) {
#ifdef COPYPROOF_FLOAT_LANES_AVX512
  if (kernel == FloatAttentionKernel::avx512) return attend_lanes_dispatch<float_lanes::Avx512>(p, out, lse, threads);
#endif
  (void)kernel;
  attend_lanes_dispatch<float_lanes::Portable>(p, out, lse, threads);
}
}  // namespace detail

}  // namespace copyproof::construction
