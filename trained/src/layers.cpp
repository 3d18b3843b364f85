// Small layers: each forward next to its backward. Derivatives are written out in the
// comment above each backward; THE GRADIENT RULE (tensor.hpp): every backward adds.

#include <copyproof/trained/layers.hpp>

#include <cmath>

namespace copyproof::trained {

// ---------------------------------------------------------------- embedding
template <class T>
void embedding_forward(MatRef<T> out, const int* tokens, ConstMatRef<T> table) {
  for (Eigen::Index i = 0; i < out.rows(); ++i) out.row(i) = table.row(tokens[i]);
}
template <class T>
void embedding_backward(MatRef<T> dtable, ConstMatRef<T> dout, const int* tokens) {
  for (Eigen::Index i = 0; i < dout.rows(); ++i) dtable.row(tokens[i]) += dout.row(i);
}

// ---------------------------------------------------------------- linear
template <class T>
void linear_forward(MatRef<T> out, ConstMatRef<T> in, ConstMatRef<T> w, const T* bias) {
  out.noalias() = in * w;
  if (bias) out.rowwise() += Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(bias, w.cols());
}
// out = in w + b:  din += dout w^T,  dw += in^T dout,  db += column sums of dout.
template <class T>
void linear_backward(MatRef<T> din, MatRef<T> dw, T* dbias, ConstMatRef<T> dout, ConstMatRef<T> in, ConstMatRef<T> w) {
  din.noalias() += dout * w.transpose();
  dw.noalias() += in.transpose() * dout;
  if (dbias) Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(dbias, dout.cols()) += dout.colwise().sum();
}

// ---------------------------------------------------------------- GELU
namespace {
constexpr double kGeluScale = 0.7978845608028654;  // sqrt(2 / pi)
constexpr double kGeluCubic = 0.044715;
}  // namespace

// tanh(u) = 1 - 2 / (exp(2u) + 1), written with exp so Eigen vectorizes it (its own float
// tanh trips a GCC 12 -Wuninitialized false positive); exp overflow to inf gives tanh = 1.
template <class T, class E>
auto tanh_via_exp(const E& u) {
  return T(1) - T(2) / ((T(2) * u).exp() + T(1));
}

template <class T>
void gelu_forward(MatRef<T> out, ConstMatRef<T> in) {
  const T s = T(kGeluScale), c = T(kGeluCubic);
  const auto x = in.array();
  out.array() = T(0.5) * x * (T(1) + tanh_via_exp<T>(s * (x + c * x.cube())));
}
// gelu(x) = x/2 (1 + tanh(u)), u = s (x + c x^3):
// gelu'(x) = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) s (1 + 3 c x^2).
template <class T>
void gelu_backward(MatRef<T> din, ConstMatRef<T> dout, ConstMatRef<T> in) {
  const T s = T(kGeluScale), c = T(kGeluCubic);
  const auto x = in.array();
  const RowMajorArray<T> th = tanh_via_exp<T>(s * (x + c * x.cube()));
  din.array() +=
      dout.array() * (T(0.5) * (T(1) + th) + T(0.5) * x * (T(1) - th.square()) * s * (T(1) + T(3) * c * x.square()));
}

// ---------------------------------------------------------------- GELU MLP
template <class T>
void mlp_forward(MatRef<T> out, MatRef<T> pre, MatRef<T> act, ConstMatRef<T> in, ConstMatRef<T> w1, const T* b1,
                 ConstMatRef<T> w2, const T* b2) {
  linear_forward<T>(pre, in, w1, b1);
  gelu_forward<T>(act, pre);
  linear_forward<T>(out, act, w2, b2);
}
template <class T>
void mlp_backward(MatRef<T> din, MatRef<T> dw1, T* db1, MatRef<T> dw2, T* db2, MatRef<T> dpre, MatRef<T> dact,
                  ConstMatRef<T> dout, ConstMatRef<T> pre, ConstMatRef<T> act, ConstMatRef<T> in, ConstMatRef<T> w1,
                  ConstMatRef<T> w2) {
  dact.setZero();
  dpre.setZero();
  linear_backward<T>(dact, dw2, db2, dout, act, w2);
  gelu_backward<T>(dpre, dact, pre);
  linear_backward<T>(din, dw1, db1, dpre, in, w1);
}

// ---------------------------------------------------------------- LayerNorm
namespace {
constexpr double kNormEps = 1e-5;
}

template <class T>
void layernorm_forward(MatRef<T> out, T* mean, T* rstd, ConstMatRef<T> in, const T* w, const T* b) {
  const Eigen::Index C = in.cols();
  Eigen::Map<const Eigen::Array<T, 1, Eigen::Dynamic>> wv(w, C), bv(b, C);
  for (Eigen::Index i = 0; i < in.rows(); ++i) {
    const T m = in.row(i).mean();
    const T var = (in.row(i).array() - m).square().mean();
    const T r = T(1) / std::sqrt(var + T(kNormEps));
    mean[i] = m;
    rstd[i] = r;
    out.row(i) = ((in.row(i).array() - m) * r * wv + bv).matrix();
  }
}
// xhat = (x - m) r, out = xhat w + b. With g = dout * w:
// dx = r (g - mean(g) - xhat mean(g xhat))  (the mean and variance depend on every x).
template <class T>
void layernorm_backward(MatRef<T> din, T* dw, T* db, ConstMatRef<T> dout, ConstMatRef<T> in, const T* mean,
                        const T* rstd, const T* w) {
  const Eigen::Index C = in.cols();
  Eigen::Map<const Eigen::Array<T, 1, Eigen::Dynamic>> wv(w, C);
  Eigen::Map<Eigen::Array<T, 1, Eigen::Dynamic>> dwv(dw, C), dbv(db, C);
  for (Eigen::Index i = 0; i < in.rows(); ++i) {
    const Eigen::Array<T, 1, Eigen::Dynamic> xhat = (in.row(i).array() - mean[i]) * rstd[i];
    const Eigen::Array<T, 1, Eigen::Dynamic> g = dout.row(i).array() * wv;
    dwv += dout.row(i).array() * xhat;
    dbv += dout.row(i).array();
    din.row(i).array() += rstd[i] * (g - g.mean() - xhat * (g * xhat).mean());
  }
}

// ---------------------------------------------------------------- RMSNorm
template <class T>
void rmsnorm_forward(MatRef<T> out, T* rstd, ConstMatRef<T> in, const T* w) {
  const Eigen::Index C = in.cols();
  Eigen::Map<const Eigen::Array<T, 1, Eigen::Dynamic>> wv(w, C);
  for (Eigen::Index i = 0; i < in.rows(); ++i) {
    const T r = T(1) / std::sqrt(in.row(i).squaredNorm() / T(C) + T(kNormEps));
    rstd[i] = r;
    out.row(i) = (in.row(i).array() * r * wv).matrix();
  }
}
// out = x r w, r = (mean(x^2) + eps)^(-1/2), dr/dx = -r^3 x / C. With g = dout * w:
// dx = r g - x r^3 mean(g x).
template <class T>
void rmsnorm_backward(MatRef<T> din, T* dw, ConstMatRef<T> dout, ConstMatRef<T> in, const T* rstd, const T* w) {
  const Eigen::Index C = in.cols();
  Eigen::Map<const Eigen::Array<T, 1, Eigen::Dynamic>> wv(w, C);
  Eigen::Map<Eigen::Array<T, 1, Eigen::Dynamic>> dwv(dw, C);
  for (Eigen::Index i = 0; i < in.rows(); ++i) {
    const T r = rstd[i];
    const auto x = in.row(i).array();
    const Eigen::Array<T, 1, Eigen::Dynamic> g = dout.row(i).array() * wv;
    dwv += dout.row(i).array() * x * r;
    din.row(i).array() += r * g - x * (r * r * r * (g * x).mean());
  }
}

// ---------------------------------------------------------------- cross-entropy
template <class T>
double crossentropy_forward(MatRef<T> probs, ConstMatRef<T> logits, const int* targets, const T* weights) {
  double loss = 0;
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    const T mx = logits.row(i).maxCoeff();  // shift: exp never overflows
    probs.row(i) = (logits.row(i).array() - mx).exp().matrix();
    const T sum = probs.row(i).sum();
    probs.row(i) /= sum;
    if (weights[i] != T(0))
      loss -= static_cast<double>(weights[i]) * std::log(static_cast<double>(probs(i, targets[i])));
  }
  return loss;
}
// d(-log softmax(z)_y)/dz = softmax(z) - onehot(y).
template <class T>
void crossentropy_backward(MatRef<T> dlogits, ConstMatRef<T> probs, const int* targets, const T* weights, T scale) {
  for (Eigen::Index i = 0; i < probs.rows(); ++i) {
    if (weights[i] == T(0)) continue;
    const T s = scale * weights[i];
    dlogits.row(i) += s * probs.row(i);
    dlogits(i, targets[i]) -= s;
  }
}

#define COPYPROOF_INSTANTIATE(T)                                                                                 \
  template void embedding_forward<T>(MatRef<T>, const int*, ConstMatRef<T>);                                     \
  template void embedding_backward<T>(MatRef<T>, ConstMatRef<T>, const int*);                                    \
  template void linear_forward<T>(MatRef<T>, ConstMatRef<T>, ConstMatRef<T>, const T*);                          \
  template void linear_backward<T>(MatRef<T>, MatRef<T>, T*, ConstMatRef<T>, ConstMatRef<T>, ConstMatRef<T>);    \
  template void gelu_forward<T>(MatRef<T>, ConstMatRef<T>);                                                      \
  template void gelu_backward<T>(MatRef<T>, ConstMatRef<T>, ConstMatRef<T>);                                     \
  template void mlp_forward<T>(MatRef<T>, MatRef<T>, MatRef<T>, ConstMatRef<T>, ConstMatRef<T>, const T*,        \
                               ConstMatRef<T>, const T*);                                                        \
  template void mlp_backward<T>(MatRef<T>, MatRef<T>, T*, MatRef<T>, T*, MatRef<T>, MatRef<T>, ConstMatRef<T>,   \
                                ConstMatRef<T>, ConstMatRef<T>, ConstMatRef<T>, ConstMatRef<T>, ConstMatRef<T>); \
  template void layernorm_forward<T>(MatRef<T>, T*, T*, ConstMatRef<T>, const T*, const T*);                     \
  template void layernorm_backward<T>(MatRef<T>, T*, T*, ConstMatRef<T>, ConstMatRef<T>, const T*, const T*,     \
                                      const T*);                                                                 \
  template void rmsnorm_forward<T>(MatRef<T>, T*, ConstMatRef<T>, const T*);                                     \
  template void rmsnorm_backward<T>(MatRef<T>, T*, ConstMatRef<T>, ConstMatRef<T>, const T*, const T*);          \
  template double crossentropy_forward<T>(MatRef<T>, ConstMatRef<T>, const int*, const T*);                      \
  template void crossentropy_backward<T>(MatRef<T>, ConstMatRef<T>, const int*, const T*, T);

COPYPROOF_INSTANTIATE(float)
COPYPROOF_INSTANTIATE(double)
#undef COPYPROOF_INSTANTIATE

}  // namespace copyproof::trained
