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

constexpr std::int64_t kQueryBlock = 128;
constexpr std::int64_t kKeyTile = kAttentionKeyTile;
constexpr int kRowsPerPass = 4;   // score micro-kernel: 4 rows ...
constexpr int kKeysPerPass = 64;  // ... x 64 keys (16 accumulators of 16 lanes)
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Running state of one query row across tiles.
struct RowState {
  float m = kNegInf, l = 0.0f;
  float acc[kMaxFloatKernelValueWidth] = {};
};

// One pass of kRowsPerPass rows, packed and waiting for its exps and sums (PassSoftmax::finish
// runs one pass behind, so that the packed arguments' stores have reached the cache when they
// are read back: a load that spans several recent stores waits for all of them to be written).
struct PendingPass {
  // The exp arguments that can give a nonzero weight, of all rows of the pass, packed row after
  // row in key order; then their weights, in place. 64-byte aligned, 32 floats of slack.
  std::vector<float, Eigen::aligned_allocator<float>> kept;
  int count = 0;                                       // entries of kept in use
  std::int64_t first_group = 0, last_group = 0;        // union of the rows' 16-key groups
  RowState* rows[kRowsPerPass] = {};                   // nullptr: the row has no key in this tile
  alignas(64) float rescale[16] = {};                  // exp arguments m_old - m_new, then their exps
  // Per row and 16-key group: which lanes were packed, where in `kept` they start, and whether
  // the group is in the row's range (all lanes, else none: the row's sums skip it).
  fl::Mask masks[kRowsPerPass][kKeyTile / 16];
  int offsets[kRowsPerPass][kKeyTile / 16];
  fl::Mask in_range[kRowsPerPass][kKeyTile / 16];
};

struct TileScratch {
  std::vector<float> keys_t;       // (d_k, kKeyTile): the tile's keys, transposed, zero-padded
  std::vector<float> scores;       // (kRowsPerPass, kKeyTile)
  std::vector<float> values_t;     // (d_v, kKeyTile): the tile's values, transposed, zero-padded
  PendingPass passes[2];
  int next = 0;                    // the pass to pack next; the other may be pending
  bool pending = false;
};

// Rows [b, e) of `source` (row stride `stride`, `width` columns), transposed into
// dest[column * kKeyTile + row - b], zero-padded to `padded` rows: blocks of 16 x 16.
template <class L>
void transpose_tile(const float* source, std::int64_t stride, std::int64_t width, std::int64_t b, std::int64_t e,
                    std::int64_t padded, float* dest) {
  for (std::int64_t c = 0; c < padded; c += 16) {
    const fl::Mask rows = fl::range_mask(0, e - b - c);
    if (rows == 0) {
      for (std::int64_t k = 0; k < width; ++k) L::store(dest + k * kKeyTile + c, L::zero());
      continue;
    }
    for (std::int64_t k = 0; k < width; k += 16)
      L::transpose16(source + (b + c) * stride + k, stride, rows, static_cast<int>(std::min<std::int64_t>(16, width - k)),
                     dest + k * kKeyTile + c, kKeyTile);
  }
}

// Scores of rows [0, Rows) (query pointers in q) against the tile's keys [c0, c1) (multiples
// of kKeysPerPass inside the padded tile), and each row's running maximum over its own keys
// [begin[r], end[r]) (vmax: lane j folds groups in key order, as MAXPS: a > b ? a : b).
template <class L, int Rows>
void score_rows(const float* const* q, const std::int64_t* begin, const std::int64_t* end, std::int64_t dk,
                const float* keys_t, std::int64_t c0, std::int64_t c1, float* scores, typename L::F* vmax) {
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
    for (int r = 0; r < Rows; ++r) {
      const bool whole = begin[r] <= c && c + kKeysPerPass <= end[r];  // the common case: no mask to compute
      for (int g = 0; g < 4; ++g) {
        L::store(scores + r * kKeyTile + c + 16 * g, acc[r][g]);
        const std::int64_t at = c + 16 * g;
        vmax[r] = L::mask_max(vmax[r], whole ? fl::Mask{0xFFFFu} : fl::range_mask(begin[r] - at, end[r] - at), acc[r][g]);
      }
    }
  }
}

// The online-softmax step of rows [0, kRowsPerPass) over their keys [begin[r], end[r]) of the
// tile (offsets in the tile; an empty range leaves the row as it is), in two halves: pack (the
// running maxima, the arguments that can give a nonzero weight, packed) and finish (their
// exps, the rescalings, the sums). Each row's arithmetic is that of a row on its own: the rows
// of a pass only share the packed buffer, whose exps are lane by lane, and the loop that
// interleaves their sums (4 (1 + Dv) independent sums hide the adds' latency).
// vmax[r]: the row's maximum over its keys (score_rows).
template <class L>
void pack_rows(const float* scores, const std::int64_t* begin, const std::int64_t* end, const typename L::F* vmax,
               RowState* const* st, PendingPass& pp) {
  float* kept = pp.kept.data();
  std::int64_t first_group = kKeyTile / 16, last_group = 0;
  std::int64_t g0[kRowsPerPass], g1[kRowsPerPass];
  int count = 0;
  L::store(pp.rescale, L::zero());  // lanes past kRowsPerPass too: finish takes the exp of all 16
  for (int r = 0; r < kRowsPerPass; ++r) {
    pp.rows[r] = nullptr;
    g0[r] = g1[r] = 0;
    if (end[r] <= begin[r]) continue;  // no key: nothing changes
    g0[r] = begin[r] / 16, g1[r] = (end[r] + 15) / 16;
    pp.rows[r] = st[r];
    first_group = std::min(first_group, g0[r]), last_group = std::max(last_group, g1[r]);
    const float* s = scores + r * kKeyTile;
    const float m_new = std::max(st[r]->m, L::reduce_max(vmax[r]));
    // A row with nothing allowed yet keeps m = -inf; shifting by 0 keeps exp(-inf) = 0.
    const float shift = m_new == kNegInf ? 0.0f : m_new;
    pp.rescale[r] = st[r]->m - shift;
    st[r]->m = m_new;
    const typename L::F shift_v = L::set1(shift);
    auto pack = [&](std::int64_t g, fl::Mask allowed) {
      const typename L::F x = L::sub(L::load(s + 16 * g), shift_v);
      const fl::Mask mask = allowed & L::not_below_mask(x, fl::kExpFlushBelow);
      pp.masks[r][g] = mask;
      pp.offsets[r][g] = count;
      pp.in_range[r][g] = 0xFFFFu;
      L::compress_store(kept + count, mask, x);  // no branch on mask == 0: it would mispredict
      count += std::popcount(mask);
    };
    // Only the first and last groups can be partial.
    pack(g0[r], fl::range_mask(begin[r] - 16 * g0[r], end[r] - 16 * g0[r]));
    for (std::int64_t g = g0[r] + 1; g < g1[r] - 1; ++g) pack(g, 0xFFFFu);
    if (g1[r] - 1 > g0[r]) pack(g1[r] - 1, fl::range_mask(begin[r] - 16 * (g1[r] - 1), end[r] - 16 * (g1[r] - 1)));
  }
  // A row's groups outside its range (or every group, for a row without keys): no lanes.
  for (int r = 0; r < kRowsPerPass; ++r)
    for (std::int64_t g = first_group; g < last_group; ++g)
      if (g < g0[r] || g >= g1[r]) pp.masks[r][g] = 0, pp.offsets[r][g] = 0, pp.in_range[r][g] = 0;
  pp.count = count;
  pp.first_group = first_group, pp.last_group = last_group;
}

// Dv: the value width rounded up to 1, 2, 3, 4 or 8 (a compile-time count keeps the sums in
// registers; values_t's rows past d_v are 0, so their sums stay 0 and are not read).
template <class L, int Dv>
void finish_rows(const float* values_t, PendingPass& pp) {
  if (pp.last_group <= pp.first_group) return;
  float* kept = pp.kept.data();
  for (int i = 0; i < pp.count; i += 16) L::store(kept + i, fl::exp_flushed<L>(L::load(kept + i)));
  L::store(pp.rescale, fl::exp_flushed<L>(L::load(pp.rescale)));  // lane by lane, as exp_flushed<One> on each
  // Back to their keys' lanes (the rest 0): lane k mod 16 sums key k's terms of this tile.
  typename L::F sum[kRowsPerPass], acc[kRowsPerPass][Dv];
  for (int r = 0; r < kRowsPerPass; ++r) {
    sum[r] = L::zero();
    for (int c = 0; c < Dv; ++c) acc[r][c] = L::zero();
  }
  for (std::int64_t g = pp.first_group; g < pp.last_group; ++g) {
    typename L::F v[Dv];
    for (int c = 0; c < Dv; ++c) v[c] = L::load(values_t + c * kKeyTile + 16 * g);
    for (int r = 0; r < kRowsPerPass; ++r) {
      // mask 0 in range: w = 0, adding exact zeros (the sums start at +0), as a row on its own does
      const typename L::F w = L::expand(pp.masks[r][g], kept, pp.offsets[r][g]);
      const fl::Mask in_range = pp.in_range[r][g];
      sum[r] = L::mask_add(sum[r], in_range, w);
      for (int c = 0; c < Dv; ++c) acc[r][c] = L::mask_fma(w, v[c], acc[r][c], in_range);
    }
  }
  for (int r = 0; r < kRowsPerPass; ++r) {
    RowState* st = pp.rows[r];
    if (!st) continue;
    st->l = std::fma(st->l, pp.rescale[r], L::reduce_add(sum[r]));
    for (int c = 0; c < Dv; ++c) st->acc[c] = std::fma(st->acc[c], pp.rescale[r], L::reduce_add(acc[r][c]));
  }
}

// Rows [0, Rows) of a pass (the others have empty ranges): scores (and their maxima), the
// position slope if any; then the previous pass's finish, then this one's pack.
template <class L, int Dv, int Rows>
void pass_rows(const AttentionProblem<float>& p, const float* const* q, const std::int64_t* begin, const std::int64_t* end,
               const std::int64_t* positions, std::int64_t k0, std::int64_t dk, std::int64_t c0, std::int64_t c1, TileScratch& t,
               RowState* const* st) {
  typename L::F vmax[kRowsPerPass];
  for (int r = 0; r < kRowsPerPass; ++r) vmax[r] = L::set1(kNegInf);
  score_rows<L, Rows>(q, begin, end, dk, t.keys_t.data(), c0, c1, t.scores.data(), vmax);
  const float slope = static_cast<float>(p.position_slope);
  if (slope != 0.0f)
    for (int r = 0; r < Rows; ++r) {
      float* s = t.scores.data() + r * kKeyTile;
      for (std::int64_t c = begin[r]; c < end[r]; ++c) s[c] = s[c] + slope * static_cast<float>(positions[r] - (k0 + c));
      // The maximum again, of the sloped scores, in the same lane order.
      vmax[r] = L::set1(kNegInf);
      for (std::int64_t g = begin[r] / 16; g < (end[r] + 15) / 16; ++g)
        vmax[r] = L::mask_max(vmax[r], fl::range_mask(begin[r] - 16 * g, end[r] - 16 * g), L::load(s + 16 * g));
    }
  if (t.pending) finish_rows<L, Dv>(t.values_t.data(), t.passes[t.next ^ 1]);
  pack_rows<L>(t.scores.data(), begin, end, vmax, st, t.passes[t.next]);
  t.pending = true;
  t.next ^= 1;
}

// The pass still pending, before the tile's values are replaced or the rows are read.
template <class L, int Dv>
void flush_pending(TileScratch& t) {
  if (t.pending) finish_rows<L, Dv>(t.values_t.data(), t.passes[t.next ^ 1]);
  t.pending = false;
}

// Software prefetch of the next tile's keys and values, a slice per pass of the current tile:
// each tile is read from memory once per query block (the keys of a long sequence do not stay
// in L2), and without it its transposition waits on every line. A hint only: no result changes.
class TilePrefetch {
 public:
  // Rows [b, e) of keys and values; the slices are spread over `passes` calls of step().
  void start(const AttentionProblem<float>& p, std::int64_t b, std::int64_t e, std::int64_t passes) {
    next_ = end_ = 0;
    if (e <= b) return;
    keys_ = reinterpret_cast<const char*>(p.keys.data() + b * p.keys.outerStride());
    values_ = reinterpret_cast<const char*>(p.values.data() + b * p.values.outerStride());
    key_lines_ = ((e - b) * p.keys.outerStride() * 4 + 63) / 64;
    end_ = key_lines_ + ((e - b) * p.values.outerStride() * 4 + 63) / 64;
    per_step_ = (end_ + passes - 1) / std::max<std::int64_t>(passes, 1);
  }
  void step() {
    for (const std::int64_t stop = std::min(end_, next_ + per_step_); next_ < stop; ++next_)
      __builtin_prefetch(next_ < key_lines_ ? keys_ + 64 * next_ : values_ + 64 * (next_ - key_lines_), 0, 2);
  }

 private:
  const char* keys_ = nullptr;
  const char* values_ = nullptr;
  std::int64_t key_lines_ = 0, next_ = 0, end_ = 0, per_step_ = 0;
};

template <class L, int Dv>
void attend_lanes(const AttentionProblem<float>& p, Eigen::Ref<RowMatrix<float>> out, float* lse, int threads) {
  const std::int64_t nq = p.queries.rows(), nk = p.keys.rows(), dk = p.queries.cols();
  const int dv = static_cast<int>(p.values.cols());
  const std::int64_t blocks = (nq + kQueryBlock - 1) / kQueryBlock;
  const auto& pos = p.query_positions;

#pragma omp parallel num_threads(threads)
  {
    TileScratch t;
    t.keys_t.assign(static_cast<std::size_t>(std::max<std::int64_t>(dk, 1) * kKeyTile), 0.0f);
    t.scores.assign(static_cast<std::size_t>(kRowsPerPass * kKeyTile), 0.0f);
    t.values_t.assign(static_cast<std::size_t>(Dv * kKeyTile), 0.0f);  // rows d_v .. Dv - 1 stay 0
    for (PendingPass& pp : t.passes) pp.kept.assign(static_cast<std::size_t>(kRowsPerPass * kKeyTile + 32), 0.0f);
    std::vector<RowState> state(static_cast<std::size_t>(kQueryBlock));
    std::int64_t begin[kRowsPerPass], end[kRowsPerPass], positions[kRowsPerPass];
    const float* q[kRowsPerPass];
    RowState* st[kRowsPerPass];
    TilePrefetch prefetch;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t blk = 0; blk < blocks; ++blk) {
      const std::int64_t r0 = blk * kQueryBlock, nr = std::min(kQueryBlock, nq - r0);
      const std::int64_t pos_first = pos[static_cast<std::size_t>(r0)];
      const std::int64_t pos_last = pos[static_cast<std::size_t>(r0 + nr - 1)];
      const std::int64_t j_begin = window_first_key(p.window, pos_first), j_end = window_last_key(p.window, pos_last, nk) + 1;
      std::fill(state.begin(), state.begin() + nr, RowState{});
      for (std::int64_t k0 = j_begin; k0 < j_end; k0 += kKeyTile) {
        const std::int64_t nc = std::min(kKeyTile, j_end - k0);
        const std::int64_t padded = (nc + kKeysPerPass - 1) / kKeysPerPass * kKeysPerPass;
        transpose_tile<L>(p.keys.data(), p.keys.outerStride(), dk, k0, k0 + nc, padded, t.keys_t.data());
        transpose_tile<L>(p.values.data(), p.values.outerStride(), dv, k0, k0 + nc, padded, t.values_t.data());
        // The next tile of this block, or the first of the block this thread likely takes next.
        if (k0 + kKeyTile < j_end) {
          prefetch.start(p, k0 + kKeyTile, std::min(j_end, k0 + 2 * kKeyTile), nr / kRowsPerPass);
        } else if (const std::int64_t nb = blk + threads; nb < blocks) {
          const std::int64_t nb_first = window_first_key(p.window, pos[static_cast<std::size_t>(nb * kQueryBlock)]);
          const std::int64_t nb_last = std::min(nq, nb * kQueryBlock + kQueryBlock) - 1;
          prefetch.start(p, nb_first, std::min(window_last_key(p.window, pos[static_cast<std::size_t>(nb_last)], nk) + 1, nb_first + kKeyTile),
                         nr / kRowsPerPass);
        } else {
          prefetch.start(p, 0, 0, 1);
        }
        for (std::int64_t r = 0; r < nr; r += kRowsPerPass) {
          prefetch.step();
          const int rows = static_cast<int>(std::min<std::int64_t>(kRowsPerPass, nr - r));
          std::int64_t lo = nc, hi = 0;
          for (int i = rows; i < kRowsPerPass; ++i) begin[i] = end[i] = 0, st[i] = nullptr;
          for (int i = 0; i < rows; ++i) {
            const std::int64_t pr = pos[static_cast<std::size_t>(r0 + r + i)];
            positions[i] = pr;
            begin[i] = std::clamp<std::int64_t>(pr - p.window.hi - k0, 0, nc);
            end[i] = std::max(begin[i], std::clamp<std::int64_t>(pr - p.window.lo - k0 + 1, 0, nc));
            if (end[i] > begin[i]) lo = std::min(lo, begin[i]), hi = std::max(hi, end[i]);
            q[i] = p.queries.data() + (r0 + r + i) * p.queries.outerStride();
            st[i] = &state[static_cast<std::size_t>(r + i)];
          }
          if (hi <= lo) continue;  // no row of these has a key here: l * 1 + 0 would change nothing
          const std::int64_t c0 = lo / kKeysPerPass * kKeysPerPass, c1 = (hi + kKeysPerPass - 1) / kKeysPerPass * kKeysPerPass;
          switch (rows) {
            case 4: pass_rows<L, Dv, 4>(p, q, begin, end, positions, k0, dk, c0, c1, t, st); break;
            case 3: pass_rows<L, Dv, 3>(p, q, begin, end, positions, k0, dk, c0, c1, t, st); break;
            case 2: pass_rows<L, Dv, 2>(p, q, begin, end, positions, k0, dk, c0, c1, t, st); break;
            default: pass_rows<L, Dv, 1>(p, q, begin, end, positions, k0, dk, c0, c1, t, st); break;
          }
        }
        flush_pending<L, Dv>(t);
      }
      for (std::int64_t r = 0; r < nr; ++r) {
        const RowState& st_r = state[static_cast<std::size_t>(r)];
        auto o = out.row(r0 + r);
        if (st_r.l != 0.0f) {  // 0: nothing allowed; NaN (a NaN score) reaches the output
          for (int c = 0; c < dv; ++c) o(c) = st_r.acc[c] / st_r.l;
          if (lse) lse[r0 + r] = st_r.m + std::log(st_r.l);
        } else {
          o.setZero();
          if (lse) lse[r0 + r] = kNegInf;
        }
      }
    }
  }
}

template <class L>
void attend_lanes_dispatch(const AttentionProblem<float>& p, Eigen::Ref<RowMatrix<float>> out, float* lse, int threads) {
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
