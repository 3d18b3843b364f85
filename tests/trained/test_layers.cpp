// Gradient checks of the small layers and of attention (every positional option).
// Tolerances: gradcheck.hpp (one reason for all: float64 central differences, h = 1e-5).

#include <copyproof/trained/attention.hpp>
#include <copyproof/trained/layers.hpp>

#include "gradcheck.hpp"

using namespace copyproof;
using namespace copyproof::trained;
using namespace copyproof::trained::test;

namespace {
Blob blob(const std::string& name, Matrix<double>& m, const Matrix<double>& g) {
  return {name, m.data(), static_cast<std::size_t>(m.size()), g.data()};
}
}  // namespace

TEST_CASE("embedding backward matches finite differences") {
  Rng rng(1);
  Matrix<double> table = random_matrix(5, 3, rng);
  const std::vector<int> tokens{0, 3, 3, 1};  // a repeated token: its rows must add
  const Matrix<double> R = random_matrix(4, 3, rng);
  auto loss = [&] {
    Matrix<double> out(4, 3);
    embedding_forward<double>(out, tokens.data(), table);
    return project(out, R);
  };
  Matrix<double> dtable = Matrix<double>::Zero(5, 3);
  embedding_backward<double>(dtable, R, tokens.data());
  COPYPROOF_CHECK_GRADIENTS(std::vector<Blob>{blob("table", table, dtable)}, loss);
}

TEST_CASE("linear backward matches finite differences") {
  Rng rng(2);
  Matrix<double> in = random_matrix(4, 3, rng), w = random_matrix(3, 5, rng), b = random_matrix(1, 5, rng);
  const Matrix<double> R = random_matrix(4, 5, rng);
  auto loss = [&] {
    Matrix<double> out(4, 5);
    linear_forward<double>(out, in, w, b.data());
    return project(out, R);
  };
  Matrix<double> din = Matrix<double>::Zero(4, 3), dw = Matrix<double>::Zero(3, 5), db = Matrix<double>::Zero(1, 5);
  linear_backward<double>(din, dw, db.data(), R, in, w);
  COPYPROOF_CHECK_GRADIENTS((std::vector<Blob>{blob("in", in, din), blob("w", w, dw), blob("b", b, db)}), loss);
}

TEST_CASE("LayerNorm backward matches finite differences") {
  Rng rng(3);
  Matrix<double> in = random_matrix(4, 6, rng), w = random_matrix(1, 6, rng), b = random_matrix(1, 6, rng);
  const Matrix<double> R = random_matrix(4, 6, rng);
  Vector<double> mean(4), rstd(4);
  auto loss = [&] {
    Matrix<double> out(4, 6);
    layernorm_forward<double>(out, mean.data(), rstd.data(), in, w.data(), b.data());
    return project(out, R);
  };
  loss();
  Matrix<double> din = Matrix<double>::Zero(4, 6), dw = Matrix<double>::Zero(1, 6), db = Matrix<double>::Zero(1, 6);
  layernorm_backward<double>(din, dw.data(), db.data(), R, in, mean.data(), rstd.data(), w.data());
  COPYPROOF_CHECK_GRADIENTS((std::vector<Blob>{blob("in", in, din), blob("w", w, dw), blob("b", b, db)}), loss);
}

TEST_CASE("RMSNorm backward matches finite differences") {
  Rng rng(4);
  Matrix<double> in = random_matrix(4, 6, rng), w = random_matrix(1, 6, rng);
  const Matrix<double> R = random_matrix(4, 6, rng);
  Vector<double> rstd(4);
  auto loss = [&] {
    Matrix<double> out(4, 6);
    rmsnorm_forward<double>(out, rstd.data(), in, w.data());
    return project(out, R);
  };
  loss();
  Matrix<double> din = Matrix<double>::Zero(4, 6), dw = Matrix<double>::Zero(1, 6);
  rmsnorm_backward<double>(din, dw.data(), R, in, rstd.data(), w.data());
  COPYPROOF_CHECK_GRADIENTS((std::vector<Blob>{blob("in", in, din), blob("w", w, dw)}), loss);
}

TEST_CASE("GELU MLP backward matches finite differences") {
  Rng rng(5);
  Matrix<double> in = random_matrix(3, 4, rng), w1 = random_matrix(4, 8, rng, 0.5), b1 = random_matrix(1, 8, rng),
                 w2 = random_matrix(8, 4, rng, 0.5), b2 = random_matrix(1, 4, rng);
  const Matrix<double> R = random_matrix(3, 4, rng);
  Matrix<double> pre(3, 8), act(3, 8);
  auto loss = [&] {
    Matrix<double> out(3, 4);
    mlp_forward<double>(out, pre, act, in, w1, b1.data(), w2, b2.data());
    return project(out, R);
  };
  loss();
  Matrix<double> din = Matrix<double>::Zero(3, 4), dw1 = Matrix<double>::Zero(4, 8), db1 = Matrix<double>::Zero(1, 8),
                 dw2 = Matrix<double>::Zero(8, 4), db2 = Matrix<double>::Zero(1, 4), dpre(3, 8), dact(3, 8);
  mlp_backward<double>(din, dw1, db1.data(), dw2, db2.data(), dpre, dact, R, pre, act, in, w1, w2);
  COPYPROOF_CHECK_GRADIENTS((std::vector<Blob>{blob("in", in, din), blob("w1", w1, dw1), blob("b1", b1, db1),
                                               blob("w2", w2, dw2), blob("b2", b2, db2)}),
                            loss);
}

TEST_CASE("cross-entropy backward matches finite differences, masked rows get none") {
  Rng rng(6);
  Matrix<double> logits = random_matrix(4, 5, rng);
  const std::vector<int> targets{1, 4, 0, 2};
  const std::vector<double> weights{1, 0, 1, 1};
  Matrix<double> probs(4, 5);
  auto loss = [&] { return crossentropy_forward<double>(probs, logits, targets.data(), weights.data()); };
  loss();
  Matrix<double> dlogits = Matrix<double>::Zero(4, 5);
  crossentropy_backward<double>(dlogits, probs, targets.data(), weights.data(), 1.0);
  CHECK(dlogits.row(1).norm() == 0.0);
  COPYPROOF_CHECK_GRADIENTS(std::vector<Blob>{blob("logits", logits, dlogits)}, loss);
}

// Attention on q, k, v of one sequence; RoPE (when chosen) rotates q and k first, so its
// backward is checked through the same loss.
static void check_attention(Position pos, std::vector<int> windows) {
  Rng rng(7);
  AttentionShape shape;
  shape.heads = 3;
  shape.head_dim = 4;
  shape.pos = pos;
  shape.windows = std::move(windows);
  const int T = 6, C = 12;
  Matrix<double> q = random_matrix(T, C, rng), k = random_matrix(T, C, rng), v = random_matrix(T, C, rng);
  const Matrix<double> R = random_matrix(T, C, rng);
  Matrix<double> probs(3 * T, T);
  auto run = [&](Matrix<double>& qr, Matrix<double>& kr) {
    qr = q;
    kr = k;
    if (pos == Position::rope) {
      rope_rotate<double>(qr, 0, shape, +1);
      rope_rotate<double>(kr, 0, shape, +1);
    }
    Matrix<double> out(T, C);
    attention_forward<double>(out, probs, qr, kr, v, shape);
    return project(out, R);
  };
  Matrix<double> qr, kr;
  auto loss = [&] { return run(qr, kr); };
  run(qr, kr);
  Matrix<double> dq = Matrix<double>::Zero(T, C), dk = Matrix<double>::Zero(T, C), dv = Matrix<double>::Zero(T, C);
  attention_backward<double>(dq, dk, dv, R, probs, qr, kr, v, shape);
  if (pos == Position::rope) {
    rope_rotate<double>(dq, 0, shape, -1);
    rope_rotate<double>(dk, 0, shape, -1);
  }
  COPYPROOF_CHECK_GRADIENTS((std::vector<Blob>{blob("q", q, dq), blob("k", k, dk), blob("v", v, dv)}), loss);
}

TEST_CASE("attention backward matches finite differences for every positional option") {
  SUBCASE("nope") { check_attention(Position::nope, {}); }
  SUBCASE("rope") { check_attention(Position::rope, {}); }
  SUBCASE("alibi") { check_attention(Position::alibi, {}); }
  SUBCASE("hard-alibi") { check_attention(Position::hard_alibi, {1, 3}); }
}

TEST_CASE("Hard-ALiBi head with window m gives zero weight beyond the last m positions") {
  Rng rng(8);
  AttentionShape shape;
  shape.heads = 2;
  shape.head_dim = 2;
  shape.pos = Position::hard_alibi;
  shape.windows = {2};
  const int T = 5;
  const Matrix<double> q = random_matrix(T, 4, rng), k = random_matrix(T, 4, rng), v = random_matrix(T, 4, rng);
  Matrix<double> out(T, 4), probs(2 * T, T);
  attention_forward<double>(out, probs, q, k, v, shape);
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < T; ++j) {
      const bool in_window = j <= i && j >= i - 1;
      CHECK((probs(i, j) > 0) == in_window);     // head 0: window 2
      CHECK((probs(T + i, j) > 0) == (j <= i));  // head 1: NoPE, causal only
    }
}
