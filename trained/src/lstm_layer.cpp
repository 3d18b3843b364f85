// One LSTM layer, forward next to backward (backpropagation through time).

#include <copyproof/trained/layers.hpp>
#include <copyproof/trained/lstm_layer.hpp>

#include <cmath>

namespace copyproof::trained {

LstmSlots add_lstm_slots(ParameterLayout& layout, const std::string& p, int input, int hidden) {
  LstmSlots s;
  s.w_x = layout.matrix(p + "w_x", input, 4 * hidden);
  s.w_h = layout.matrix(p + "w_h", hidden, 4 * hidden);
  s.bias = layout.vector(p + "bias", 4 * hidden);
  return s;
}

namespace {
// Rows t of all B sequences in a (B*T, cols) matrix: a strided view, row stride T*cols.
template <class M>
auto step_rows(M& m, int t, int T_, int B) {
  using Scalar = typename std::remove_const_t<M>::Scalar;
  using Target = std::conditional_t<std::is_const_v<M>, const Matrix<Scalar>, Matrix<Scalar>>;
  return Eigen::Map<Target, 0, Eigen::OuterStride<>>(m.data() + static_cast<Eigen::Index>(t) * m.cols(), B, m.cols(),
                                                     Eigen::OuterStride<>(static_cast<Eigen::Index>(T_) * m.cols()));
}
// Elementwise std::tanh: Eigen's vectorized float tanh trips a GCC 12 -Wuninitialized
// false positive in its AVX-512 header (the bug family of GCC 105593).
template <class E>
auto tanh_of(const E& e) {
  return e.unaryExpr([](auto x) { return std::tanh(x); });
}
}  // namespace

template <class T>
void lstm_forward(MatRef<T> out, LstmActivations<T>& a, ConstMatRef<T> in, const T* params, const LstmSlots& s, int H,
                  int B, int T_, LstmState<T>* state) {
  const Eigen::Index BT = static_cast<Eigen::Index>(B) * T_;
  a.gates.resize(BT, 4 * H);
  a.c.resize(BT, H);
  a.h0.resize(B, H);
  a.c0.resize(B, H);
  if (state) {
    a.h0 = state->h;
    a.c0 = state->c;
  } else {
    a.h0.setZero();
    a.c0.setZero();
  }
  linear_forward<T>(a.gates, in, at(params, s.w_x), params + s.bias.offset);  // input part of every step at once
  const auto w_h = at(params, s.w_h);
  Matrix<T> h = a.h0, c = a.c0;
  for (int t = 0; t < T_; ++t) {
    auto gates = step_rows(a.gates, t, T_, B);
    gates.noalias() += h * w_h;
    gates.leftCols(2 * H) = gates.leftCols(2 * H).unaryExpr([](T x) { return sigmoid(x); });
    gates.middleCols(2 * H, H) = tanh_of(gates.middleCols(2 * H, H));
    gates.rightCols(H) = gates.rightCols(H).unaryExpr([](T x) { return sigmoid(x); });
    c = gates.middleCols(H, H).cwiseProduct(c) + gates.leftCols(H).cwiseProduct(gates.middleCols(2 * H, H));
    h = gates.rightCols(H).cwiseProduct(tanh_of(c));
    step_rows(a.c, t, T_, B) = c;
    Eigen::Map<Matrix<T>, 0, Eigen::OuterStride<>>(
        out.data() + static_cast<Eigen::Index>(t) * out.outerStride(), B, H,
        Eigen::OuterStride<>(static_cast<Eigen::Index>(T_) * out.outerStride())) = h;
  }
  if (state) {
    state->h = h;
    state->c = c;
  }
}

// With tc = tanh(c_t): do = dh tc; dc = dc_next + dh o (1 - tc^2); di = dc g; dg = dc i;
// df = dc c_{t-1}; dc_prev = dc f. Pre-activation: sig' = s (1 - s), tanh' = 1 - tanh^2.
// The pre-activation gradients of all steps land in dpre; the weight GEMMs run once at the end.
template <class T>
void lstm_backward(MatRef<T> din, T* grads, ConstMatRef<T> dout, const LstmActivations<T>& a, ConstMatRef<T> out,
                   ConstMatRef<T> in, const T* params, const LstmSlots& s, int H, int B, int T_) {
  const Eigen::Index BT = static_cast<Eigen::Index>(B) * T_;
  const auto w_h = at(params, s.w_h);
  auto dw_h = at(grads, s.w_h);
  Matrix<T> dpre(BT, 4 * H);
  Matrix<T> dh_next = Matrix<T>::Zero(B, H), dc_next = Matrix<T>::Zero(B, H);
  const Matrix<T> dout_m = dout;  // contiguous copies so the strided step views apply
  const Matrix<T> out_m = out;
  for (int t = T_ - 1; t >= 0; --t) {
    const auto gates = step_rows(a.gates, t, T_, B);
    const auto i = gates.leftCols(H).array();
    const auto f = gates.middleCols(H, H).array();
    const auto g = gates.middleCols(2 * H, H).array();
    const auto o = gates.rightCols(H).array();
    const Matrix<T> c = step_rows(a.c, t, T_, B);
    const Matrix<T> c_prev = t > 0 ? Matrix<T>(step_rows(a.c, t - 1, T_, B)) : a.c0;
    const Matrix<T> h_prev = t > 0 ? Matrix<T>(step_rows(out_m, t - 1, T_, B)) : a.h0;
    const RowMajorArray<T> tc = tanh_of(c).array();
    const RowMajorArray<T> dh = step_rows(dout_m, t, T_, B).array() + dh_next.array();
    const RowMajorArray<T> dc = dc_next.array() + dh * o * (T(1) - tc * tc);
    auto dp = step_rows(dpre, t, T_, B);
    dp.leftCols(H) = (dc * g * i * (T(1) - i)).matrix();
    dp.middleCols(H, H) = (dc * c_prev.array() * f * (T(1) - f)).matrix();
    dp.middleCols(2 * H, H) = (dc * i * (T(1) - g * g)).matrix();
    dp.rightCols(H) = (dh * tc * o * (T(1) - o)).matrix();
    dc_next = (dc * f).matrix();
    dh_next.noalias() = dp * w_h.transpose();
    dw_h.noalias() += h_prev.transpose() * dp;
  }
  linear_backward<T>(din, at(grads, s.w_x), grads + s.bias.offset, dpre, in, at(params, s.w_x));
}

#define COPYPROOF_INSTANTIATE(T)                                                                                      \
  template void lstm_forward<T>(MatRef<T>, LstmActivations<T>&, ConstMatRef<T>, const T*, const LstmSlots&, int, int, \
                                int, LstmState<T>*);                                                                  \
  template void lstm_backward<T>(MatRef<T>, T*, ConstMatRef<T>, const LstmActivations<T>&, ConstMatRef<T>,            \
                                 ConstMatRef<T>, const T*, const LstmSlots&, int, int, int);

COPYPROOF_INSTANTIATE(float)
COPYPROOF_INSTANTIATE(double)
#undef COPYPROOF_INSTANTIATE

}  // namespace copyproof::trained
