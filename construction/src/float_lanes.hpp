#pragma once
// Sixteen binary32 lanes, written twice: AVX-512 intrinsics (where the target has AVX-512F/DQ)
// and plain C++ (any CPU), plus a one-lane form for scalar uses. The float attention kernel
// (float_attention.cpp) and the exp below are templates over these, so every lane performs the
// same IEEE operations in the same order in every form: the forms give identical bits (tests
// hold them to it). The file that includes this is compiled with -ffp-contract=off, so a
// written a * b + c stays two roundings and each fma is one.

#include <bit>
#include <cmath>
#include <cstdint>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#define COPYPROOF_FLOAT_LANES_AVX512 1
#endif

namespace copyproof::construction::float_lanes {

using Mask = std::uint32_t;  // bit i = lane i (16 lanes: the low 16 bits)

// Lanes [lo, hi) of 16, lo and hi clamped to [0, 16].
inline Mask range_mask(std::int64_t lo, std::int64_t hi) {
  lo = lo < 0 ? 0 : (lo > 16 ? 16 : lo);
  hi = hi < 0 ? 0 : (hi > 16 ? 16 : hi);
  if (hi <= lo) return 0;
  return ((1u << hi) - 1u) & ~((1u << lo) - 1u);
}

// One lane: the scalar uses (the online softmax's rescaling) share the exp below.
struct One {
  using F = float;
  static F set1(float x) { return x; }
  static F fma(F a, F b, F c) { return std::fma(a, b, c); }
  static F sub(F a, F b) { return a - b; }
  static F mul(F a, F b) { return a * b; }
  // 2^n from t = fma(x, log2 e, 1.5 * 2^23), whose low bits hold n (|n| < 2^22).
  static F pow2_from_magic(F t) {
    return std::bit_cast<float>((std::bit_cast<std::uint32_t>(t) - 0x4B400000u + 127u) << 23);
  }
  static F max_with(float threshold, F x) { return threshold > x ? threshold : x; }    // NaN x: x
  static F zero_below(F x, float threshold, F y) { return x < threshold ? 0.0f : y; }  // NaN x: y
};

struct Portable {
  struct F {
    float v[16];
  };
  struct I {
    std::int32_t v[16];
  };
  static F load(const float* p) {
    F r;
    for (int i = 0; i < 16; ++i) r.v[i] = p[i];
    return r;
  }
  static void store(float* p, const F& a) {
    for (int i = 0; i < 16; ++i) p[i] = a.v[i];
  }
  static F set1(float x) {
    F r;
    for (float& e : r.v) e = x;
    return r;
  }
  static F zero() { return set1(0.0f); }
  static F fma(const F& a, const F& b, const F& c) {
    F r;
    for (int i = 0; i < 16; ++i) r.v[i] = std::fma(a.v[i], b.v[i], c.v[i]);
    return r;
  }
  static F add(const F& a, const F& b) {
    F r;
    for (int i = 0; i < 16; ++i) r.v[i] = a.v[i] + b.v[i];
    return r;
  }
  static F sub(const F& a, const F& b) {
    F r;
    for (int i = 0; i < 16; ++i) r.v[i] = a.v[i] - b.v[i];
    return r;
  }
  static F mul(const F& a, const F& b) {
    F r;
    for (int i = 0; i < 16; ++i) r.v[i] = a.v[i] * b.v[i];
    return r;
  }
  static F pow2_from_magic(const F& t) {
    F r;
    for (int i = 0; i < 16; ++i) r.v[i] = One::pow2_from_magic(t.v[i]);
    return r;
  }
  static F max_with(float threshold, const F& x) {
    F r;
    for (int i = 0; i < 16; ++i) r.v[i] = One::max_with(threshold, x.v[i]);
    return r;
  }
  static F zero_below(const F& x, float threshold, const F& y) {
    F r;
    for (int i = 0; i < 16; ++i) r.v[i] = One::zero_below(x.v[i], threshold, y.v[i]);
    return r;
  }
  // Lanes of `mask` take max(a, b) as MAXPS does (a > b ? a : b), the others keep a.
  static F mask_max(const F& a, Mask mask, const F& b) {
    F r = a;
    for (int i = 0; i < 16; ++i)
      if (mask >> i & 1u) r.v[i] = a.v[i] > b.v[i] ? a.v[i] : b.v[i];
    return r;
  }
  static F keep(Mask mask, const F& a) {
    F r;
    for (int i = 0; i < 16; ++i) r.v[i] = (mask >> i & 1u) ? a.v[i] : 0.0f;
    return r;
  }
  // Lanes not below threshold (NaN lanes included, so a NaN reaches the sums).
  static Mask not_below_mask(const F& a, float threshold) {
    Mask m = 0;
    for (int i = 0; i < 16; ++i) m |= static_cast<Mask>(!(a.v[i] < threshold)) << i;
    return m;
  }
  // The lanes of `mask`, in lane order, to dst[0 ..); writes up to 16 entries.
  static void compress_store(float* dst, Mask mask, const F& a) {
    int n = 0;
    for (int i = 0; i < 16; ++i)
      if (mask >> i & 1u) dst[n++] = a.v[i];
  }
  // The inverse: lanes of `mask`, in lane order, take packed[at ..); the others 0. packed is
  // 64-byte aligned with 32 floats readable past at rounded down to 16.
  static F expand(Mask mask, const float* packed, int at) {
    F r;
    int n = at;
    for (int i = 0; i < 16; ++i) r.v[i] = (mask >> i & 1u) ? packed[n++] : 0.0f;
    return r;
  }
  // Fixed tree: lanes i + (i + 8), then + 4, + 2, + 1.
  static float reduce_add(const F& a) {
    float t[8];
    for (int i = 0; i < 8; ++i) t[i] = a.v[i] + a.v[i + 8];
    for (int i = 0; i < 4; ++i) t[i] = t[i] + t[i + 4];
    for (int i = 0; i < 2; ++i) t[i] = t[i] + t[i + 2];
    return t[0] + t[1];
  }
  static float reduce_max(const F& a) {
    float m = a.v[0];
    for (int i = 1; i < 16; ++i) m = m > a.v[i] ? m : a.v[i];
    return m;
  }
};

#ifdef COPYPROOF_FLOAT_LANES_AVX512
struct Avx512 {
  using F = __m512;
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F a) { _mm512_storeu_ps(p, a); }
  static F set1(float x) { return _mm512_set1_ps(x); }
  static F zero() { return _mm512_setzero_ps(); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F pow2_from_magic(F t) {
    const __m512i n = _mm512_add_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(static_cast<int>(127u - 0x4B400000u)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(n, 23));
  }
  static F max_with(float threshold, F x) {
    return _mm512_max_ps(_mm512_set1_ps(threshold), x);
  }  // MAXPS: NaN x gives x
  static F zero_below(F x, float threshold, F y) {
    return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_set1_ps(threshold), _CMP_LT_OQ), _mm512_setzero_ps());
  }
  static F mask_max(F a, Mask mask, F b) { return _mm512_mask_max_ps(a, static_cast<__mmask16>(mask), a, b); }
  static F keep(Mask mask, F a) { return _mm512_maskz_mov_ps(static_cast<__mmask16>(mask), a); }
  static Mask not_below_mask(F a, float threshold) {
    return _mm512_cmp_ps_mask(a, _mm512_set1_ps(threshold), _CMP_NLT_UQ);
  }
  static void compress_store(float* dst, Mask mask, F a) {
    _mm512_storeu_ps(dst, _mm512_maskz_compress_ps(static_cast<__mmask16>(mask), a));
  }
  // Two aligned loads (each the whole of an earlier aligned store, so store forwarding works,
  // which an unaligned VEXPANDPS from memory defeats), a window shift, an expand in registers.
  static F expand(Mask mask, const float* packed, int at) {
    const int base = at & ~15, shift = at & 15;
    const __m512i window = _mm512_add_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                            _mm512_set1_epi32(shift));
    const __m512 packed16 =
        _mm512_permutex2var_ps(_mm512_loadu_ps(packed + base), window, _mm512_loadu_ps(packed + base + 16));
    return _mm512_maskz_expand_ps(static_cast<__mmask16>(mask), packed16);
  }
  static float reduce_add(F a) {
    const __m256 t8 = _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
    const __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(t8), _mm256_extractf128_ps(t8, 1));
    const __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));      // lanes 0, 1: t4[0] + t4[2], t4[1] + t4[3]
    const __m128 t1 = _mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1));  // t2[0] + t2[1]
    return _mm_cvtss_f32(t1);
  }
  static float reduce_max(F a) { return _mm512_reduce_max_ps(a); }  // max is exact in any order
};
#endif

// ---- exp on [-inf, 0], the one the float attention path uses -------------------------------
// Results below FLT_MIN = 2^-126 are flushed to exactly 0 (the certificate's underflow term
// allows an absolute error of FLT_MIN per weight, certificate_rounding.cpp), so no weight is
// ever subnormal: subnormal operands make x86 multiplies take microcode assists.
//
// The threshold: e^x >= 2^-126 exactly when x >= -126 ln 2 = -87.336544750553108986...; the
// binary32 numbers on either side are -87.33654022216796875 (>= -126 ln 2: its e^x is a normal
// float) and -87.33654785156250000 (below: its e^x is subnormal). So x < kExpFlushBelow, the
// former, is exactly the set of float arguments whose e^x is below FLT_MIN; the kernel skips
// them (and -inf, the masked keys) without computing their exp, which returns 0 for them too.
inline constexpr float kExpFlushBelow = -87.33654022216796875f;

// x = n ln 2 + r with n = rint(x log2 e) (one fma against 1.5 * 2^23 rounds to the integer and
// leaves it in the low bits), r by a two-part ln 2 (ln2_hi has 16 significant bits, so n ln2_hi
// is exact for |n| <= 2^8), e^r by its Taylor polynomial of degree 7 on |r| <= 0.35 (truncation
// 0.35^8 / 8! < 6e-9 relative), then the exponent bits of 2^n. Accuracy measured by the test
// "float attention exp" against long double (stated: kExpUlpsFp32).
// The arithmetic runs on max(x, threshold), so no lane ever forms a subnormal or garbage
// intermediate (a subnormal result costs a microcode assist even in a lane later zeroed).
template <class L>
typename L::F exp_flushed(typename L::F x_in) {
  constexpr float kLog2e = 1.44269502162933349609375f;  // binary32 nearest log2(e)
  constexpr float kMagic = 12582912.0f;                 // 1.5 * 2^23
  constexpr float kLn2Hi = 0.693145751953125f;          // 0x3F317200
  constexpr float kLn2Lo = 1.428606765330187045e-06f;   // ln 2 - kLn2Hi
  const auto x = L::max_with(kExpFlushBelow, x_in);
  const auto t = L::fma(x, L::set1(kLog2e), L::set1(kMagic));
  const auto n = L::sub(t, L::set1(kMagic));
  auto r = L::fma(n, L::set1(-kLn2Hi), x);
  r = L::fma(n, L::set1(-kLn2Lo), r);
  auto p = L::set1(1.0f / 5040.0f);
  p = L::fma(p, r, L::set1(1.0f / 720.0f));
  p = L::fma(p, r, L::set1(1.0f / 120.0f));
  p = L::fma(p, r, L::set1(1.0f / 24.0f));
  p = L::fma(p, r, L::set1(1.0f / 6.0f));
  p = L::fma(p, r, L::set1(0.5f));
  p = L::fma(p, r, L::set1(1.0f));
  p = L::fma(p, r, L::set1(1.0f));
  return L::zero_below(x_in, kExpFlushBelow, L::mul(p, L::pow2_from_magic(t)));
}

}  // namespace copyproof::construction::float_lanes
