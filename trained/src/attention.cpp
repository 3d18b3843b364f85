// Causal attention with NoPE / RoPE / ALiBi / Hard-ALiBi, forward next to backward.

#include <copyproof/trained/attention.hpp>
#include <copyproof/trained/enum_names.hpp>

#include <cmath>

namespace copyproof::trained {

namespace {
constexpr EnumNames<Position, 4> kPositionNames{{{Position::nope, "nope"},
                                                 {Position::rope, "rope"},
                                                 {Position::alibi, "alibi"},
                                                 {Position::hard_alibi, "hard-alibi"}}};
}  // namespace

std::string to_string(Position p) { return name_of(kPositionNames, p); }
bool parse_position(const std::string& text, Position& out) { return parse_name(kPositionNames, text, out); }

double AttentionShape::alibi_slope(int h) const { return std::exp2(-8.0 * (h + 1) / heads); }

template <class T>
void rope_rotate(MatRef<T> x, int pos0, const AttentionShape& shape, int sign) {
  const int half = shape.head_dim / 2;
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    const double pos = static_cast<double>(pos0 + r);
    for (int i = 0; i < half; ++i) {
      const double angle = pos * std::pow(10000.0, -2.0 * i / shape.head_dim);
      const T c = T(std::cos(angle)), s = T(sign * std::sin(angle));
      for (int h = 0; h < shape.heads; ++h) {
        T& a = x(r, h * shape.head_dim + i);
        T& b = x(r, h * shape.head_dim + i + half);
        const T a0 = a, b0 = b;
        a = c * a0 - s * b0;
        b = s * a0 + c * b0;
      }
    }
  }
}

// Scores of head h: q_h k_h^T / sqrt(d) plus the positional bias; keys after the query
// (causality) and outside a Hard-ALiBi window get probability exactly 0.
template <class T>
void attention_forward(MatRef<T> out, MatRef<T> probs, ConstMatRef<T> q, ConstMatRef<T> k, ConstMatRef<T> v,
                       const AttentionShape& shape) {
  const Eigen::Index Tq = q.rows(), Tk = k.rows(), d = shape.head_dim;
  const T scale = T(1) / std::sqrt(T(d));
  for (int h = 0; h < shape.heads; ++h) {
    auto P = probs.middleRows(h * Tq, Tq);
    P.noalias() = (q.middleCols(h * d, d) * k.middleCols(h * d, d).transpose()) * scale;
    const int window =
        (shape.pos == Position::hard_alibi && h < static_cast<int>(shape.windows.size())) ? shape.windows[h] : 0;
    const T slope = shape.pos == Position::alibi ? T(shape.alibi_slope(h)) : T(0);
    for (Eigen::Index i = 0; i < Tq; ++i) {
      const Eigen::Index qpos = Tk - Tq + i;
      const Eigen::Index first = window > 0 ? std::max<Eigen::Index>(0, qpos - window + 1) : 0;
      const Eigen::Index visible = qpos - first + 1;
      auto row = P.row(i);
      auto seg = row.segment(first, visible).array();
      if (slope != T(0))  // distance qpos - j for j = first .. qpos
        seg -= slope * Eigen::Array<T, 1, Eigen::Dynamic>::LinSpaced(visible, T(visible - 1), T(0));
      seg = (seg - seg.maxCoeff()).exp();
      seg /= seg.sum();
      row.head(first).setZero();
      row.tail(Tk - 1 - qpos).setZero();
    }
    out.middleCols(h * d, d).noalias() = P * v.middleCols(h * d, d);
  }
}

// out_h = P v_h, P = softmax(S): dv_h += P^T dout_h, dP = dout_h v_h^T,
// dS = P * (dP - rowsum(P * dP)), dq_h += dS k_h / sqrt(d), dk_h += dS^T q_h / sqrt(d).
// Masked entries have P = 0, hence dS = 0: the bias and mask need no backward.
template <class T>
void attention_backward(MatRef<T> dq, MatRef<T> dk, MatRef<T> dv, ConstMatRef<T> dout, ConstMatRef<T> probs,
                        ConstMatRef<T> q, ConstMatRef<T> k, ConstMatRef<T> v, const AttentionShape& shape) {
  const Eigen::Index Tq = q.rows(), d = shape.head_dim;
  const T scale = T(1) / std::sqrt(T(d));
  Matrix<T> dS;
  for (int h = 0; h < shape.heads; ++h) {
    const auto P = probs.middleRows(h * Tq, Tq);
    const auto dout_h = dout.middleCols(h * d, d);
    dv.middleCols(h * d, d).noalias() += P.transpose() * dout_h;
    dS.noalias() = dout_h * v.middleCols(h * d, d).transpose();
    const Vector<T> row_dot = P.cwiseProduct(dS).rowwise().sum();
    dS = P.cwiseProduct(dS.colwise() - row_dot);
    dq.middleCols(h * d, d).noalias() += (dS * k.middleCols(h * d, d)) * scale;
    dk.middleCols(h * d, d).noalias() += (dS.transpose() * q.middleCols(h * d, d)) * scale;
  }
}

#define COPYPROOF_INSTANTIATE(T)                                                                                       \
  template void rope_rotate<T>(MatRef<T>, int, const AttentionShape&, int);                                            \
  template void attention_forward<T>(MatRef<T>, MatRef<T>, ConstMatRef<T>, ConstMatRef<T>, ConstMatRef<T>,             \
                                     const AttentionShape&);                                                           \
  template void attention_backward<T>(MatRef<T>, MatRef<T>, MatRef<T>, ConstMatRef<T>, ConstMatRef<T>, ConstMatRef<T>, \
                                      ConstMatRef<T>, ConstMatRef<T>, const AttentionShape&);

COPYPROOF_INSTANTIATE(float)
COPYPROOF_INSTANTIATE(double)
#undef COPYPROOF_INSTANTIATE

}  // namespace copyproof::trained
