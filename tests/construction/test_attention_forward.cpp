// The generic forward (forward.hpp, attention.hpp) against a plain O(L^2) reference that
// materialises every score, on random models; and on tiny hand-built models whose job is
// not copying. Nothing here uses the copy transformer.
#include <doctest/doctest.h>

#include <cmath>

#include "../tile_edges.hpp"
#include "copyproof/common/random.hpp"
#include "copyproof/construction/attention.hpp"
#include "copyproof/construction/decoder.hpp"
#include "copyproof/construction/forward.hpp"

using namespace copyproof;
using namespace copyproof::construction;

namespace {

Eigen::MatrixXd random_matrix(Rng& rng, Eigen::Index rows, Eigen::Index cols, double scale) {
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * rng.normal();
  return m;
}

// The residual of the hand-built models: [one-hot of the token now | slot for the copy],
// width 2 * vocab. The head's scores are constant (zero query and key) until the test sets
// a window or a slope; its value reads the one-hot and its output writes the slot, which
// the unembedding reads.
AttentionHead one_hot_copy_head(int vocab) {
  AttentionHead h;
  h.name = "copy";
  h.query = Eigen::MatrixXd::Zero(1, 2 * vocab);
  h.key = Eigen::MatrixXd::Zero(1, 2 * vocab);
  h.value = Eigen::MatrixXd::Zero(vocab, 2 * vocab);
  h.value.leftCols(vocab) = Eigen::MatrixXd::Identity(vocab, vocab);
  h.output = Eigen::MatrixXd::Zero(2 * vocab, vocab);
  h.output.bottomRows(vocab) = Eigen::MatrixXd::Identity(vocab, vocab);
  return h;
}

Transformer one_head_model(int vocab, const AttentionHead& h) {
  Transformer t;
  t.embedding = Eigen::MatrixXd::Zero(2 * vocab, vocab);
  for (int v = 0; v < vocab; ++v) t.embedding(v, v) = 1;
  t.layers.push_back(TransformerLayer{{h}});
  t.unembedding = Eigen::MatrixXd::Zero(vocab, 2 * vocab);
  t.unembedding.rightCols(vocab) = Eigen::MatrixXd::Identity(vocab, vocab);
  return t;
}

Transformer random_model(Rng& rng, int d, int vocab, const std::vector<std::vector<RelativeWindow>>& windows) {
  Transformer t;
  t.embedding = random_matrix(rng, d, vocab, 1.0);
  for (const auto& layer_windows : windows) {
    TransformerLayer layer;
    for (const auto& w : layer_windows) {
      AttentionHead h;
      const int dk = 1 + static_cast<int>(rng.below(6)), dv = 1 + static_cast<int>(rng.below(5));
      h.query = random_matrix(rng, dk, d, 1.5);
      h.key = random_matrix(rng, dk, d, 1.5);
      h.value = random_matrix(rng, dv, d, 1.0);
      h.output = random_matrix(rng, d, dv, 0.5);
      h.position_slope = rng.uniform() < 0.5 ? 0.0 : 2.0 * rng.normal();
      h.window = w;
      layer.heads.push_back(h);
    }
    t.layers.push_back(layer);
  }
  t.unembedding = random_matrix(rng, vocab, d, 1.0);
  return t;
}

// Plain reference: every layer at every position, full softmax over the allowed keys.
Eigen::MatrixXd naive_logits(const Transformer& t, const std::vector<Token>& tokens,
                             const std::vector<std::int64_t>& outs) {
  const auto n = static_cast<Eigen::Index>(tokens.size());
  Eigen::MatrixXd x(t.d_model(), n);
  for (Eigen::Index i = 0; i < n; ++i) x.col(i) = t.embedding.col(tokens[static_cast<std::size_t>(i)]);
  for (const auto& layer : t.layers) {
    Eigen::MatrixXd next = x;
    for (const auto& h : layer.heads) {
      const Eigen::MatrixXd q = h.query * x, k = h.key * x, v = h.value * x;
      for (Eigen::Index i = 0; i < n; ++i) {
        std::vector<double> s;
        std::vector<Eigen::Index> js;
        for (Eigen::Index j = 0; j < n; ++j) {
          const std::int64_t delta = i - j;
          if (delta < h.window.lo || delta > h.window.hi) continue;
          s.push_back(q.col(i).dot(k.col(j)) + h.position_slope * static_cast<double>(delta));
          js.push_back(j);
        }
        if (s.empty()) continue;
        const double m = *std::max_element(s.begin(), s.end());
        double z = 0;
        Eigen::VectorXd o = Eigen::VectorXd::Zero(v.rows());
        for (std::size_t a = 0; a < s.size(); ++a) {
          z += std::exp(s[a] - m);
          o += std::exp(s[a] - m) * v.col(js[a]);
        }
        next.col(i) += h.output * (o / z);
      }
    }
    x = next;
  }
  Eigen::MatrixXd logits(outs.size(), t.vocab());
  for (std::size_t r = 0; r < outs.size(); ++r)
    logits.row(static_cast<Eigen::Index>(r)) = (t.unembedding * x.col(outs[r])).transpose();
  return logits;
}

std::vector<Token> random_tokens(Rng& rng, std::int64_t n, int vocab) {
  std::vector<Token> tokens(static_cast<std::size_t>(n));
  for (auto& tok : tokens) tok = static_cast<Token>(rng.below(static_cast<std::uint64_t>(vocab)));
  return tokens;
}

}  // namespace

TEST_CASE("generic forward equals the naive reference on random models") {
  Rng rng(7);
  const RelativeWindow causal{}, band{1, 3}, self_only{0, 0}, wide_band{2, 300}, far{5, 9};
  // The path switch: a window of kBandedWindowLimit keys takes the direct path, one more the tiled.
  const RelativeWindow widest_banded{0, kBandedWindowLimit - 1}, narrowest_tiled{0, kBandedWindowLimit};
  const std::vector<std::vector<RelativeWindow>> shapes = {
      {causal, band}, {wide_band, self_only, far}, {causal, widest_banded, narrowest_tiled}};
  // Lengths around the key tile and around the query block (a third of the positions are
  // queries: n = 3 kAttentionQueryBlock gives a full block), so edges and partial tiles are hit.
  std::vector<std::int64_t> lengths = copyproof::testing::around({kAttentionKeyTile, 3 * kAttentionQueryBlock});
  for (const std::int64_t n : {std::int64_t{1}, std::int64_t{7}, kBandedWindowLimit + 1}) lengths.push_back(n);
  for (const std::int64_t n : lengths) {
    const Transformer t = random_model(rng, 12, 9, shapes);
    const std::vector<Token> tokens = random_tokens(rng, n, 9);
    std::vector<std::int64_t> outs;
    for (std::int64_t i = 0; i < n; ++i)
      if (i % 3 == 0 || i == n - 1) outs.push_back(i);
    const Eigen::MatrixXd expected = naive_logits(t, tokens, outs);
    for (int threads : {1, 2}) {
      const auto r64 = forward(TypedTransformer<double>(t), tokens, outs, ForwardOptions{threads});
      const auto r32 = forward(TypedTransformer<float>(t), tokens, outs, ForwardOptions{threads});
      const double scale = expected.cwiseAbs().maxCoeff() + 1;
      INFO("n = " << n << ", threads = " << threads);
      // fp64: the same sums in another order; rounding ~1e-15 relative, amplified by 3 layers.
      CHECK((r64.logits - expected).cwiseAbs().maxCoeff() <= 1e-10 * scale);
      // fp32: ~6e-8 relative per operation, through 3 layers of softmax and sums of ~600 terms.
      CHECK((r32.logits.cast<double>() - expected).cwiseAbs().maxCoeff() <= 2e-3 * scale);
    }
  }
}

TEST_CASE("attention: empty windows give 0 and lse -inf; lse matches the scores") {
  RowMatrix<double> q(3, 1), k(4, 1), v(4, 1);
  q << 1, 2, 3;
  k << 0.5, -1, 2, 0;
  v << 10, 20, 30, 40;
  const std::vector<std::int64_t> positions = {0, 2, 3};
  RowMatrix<double> out(3, 1);
  std::vector<double> lse(3);
  const AttentionProblem<double> p{q, positions, k, v, 0.0, RelativeWindow{1, 2}};
  attend<double>(p, out, lse.data(), 1);
  CHECK(out(0, 0) == 0.0);  // position 0 has no key 1..2 steps back
  CHECK(std::isinf(lse[0]));
  // position 2 sees keys 0, 1 with scores 1.0 and -2.0
  const double z = std::exp(1.0) + std::exp(-2.0);
  CHECK(out(1, 0) == doctest::Approx((10 * std::exp(1.0) + 20 * std::exp(-2.0)) / z).epsilon(1e-14));
  CHECK(lse[1] == doctest::Approx(std::log(z)).epsilon(1e-14));
}

TEST_CASE("tiny hand-built model: predict the token two positions back") {
  // One head, window i - j = 2 exactly; the value carries a one-hot of the token.
  const int vocab = 5;
  AttentionHead h = one_hot_copy_head(vocab);
  h.window = RelativeWindow{2, 2};
  const Transformer t = one_head_model(vocab, h);

  const std::vector<Token> tokens = {3, 1, 4, 1, 0, 2, 2, 4};
  std::vector<std::int64_t> outs = {2, 3, 4, 5, 6, 7};
  const auto r = forward(TypedTransformer<float>(t), tokens, outs, ForwardOptions{1});
  for (std::size_t k = 0; k < outs.size(); ++k)
    CHECK(r.predictions[k] == tokens[static_cast<std::size_t>(outs[k] - 2)]);
}

TEST_CASE("tiny hand-built model: report the first token, whatever the length") {
  // A causal head whose slope rewards distance strongly: all mass on position 0.
  const int vocab = 4;
  AttentionHead h = one_hot_copy_head(vocab);
  h.position_slope = 40;  // e^-40 per step: later positions carry no weight
  const Transformer t = one_head_model(vocab, h);

  Rng rng(3);
  for (std::int64_t n : {1, 2, 100, 1000}) {
    const std::vector<Token> tokens = random_tokens(rng, n, vocab);
    const std::vector<std::int64_t> outs = {0, n / 2, n - 1};
    const auto r = forward(TypedTransformer<double>(t), tokens, outs, ForwardOptions{2});
    for (Token p : r.predictions) CHECK(p == tokens[0]);
  }
}

TEST_CASE("incremental decoder reproduces the batch forward position by position") {
  Rng rng(11);
  const Transformer t = random_model(rng, 10, 6, {{RelativeWindow{}, RelativeWindow{1, 4}}, {RelativeWindow{}}});
  const std::vector<Token> tokens = random_tokens(rng, 90, 6);
  std::vector<std::int64_t> outs(tokens.size());
  for (std::size_t i = 0; i < outs.size(); ++i) outs[i] = static_cast<std::int64_t>(i);
  const TypedTransformer<double> typed(t);
  const auto batch = forward(typed, tokens, outs, ForwardOptions{1});
  IncrementalDecoder<double> decoder(typed);
  for (std::size_t i = 0; i < tokens.size(); ++i) CHECK(decoder.push(tokens[i]) == batch.predictions[i]);
}

TEST_CASE("forward rejects malformed input") {
  Rng rng(1);
  const Transformer t = random_model(rng, 6, 4, {{RelativeWindow{}}});
  const TypedTransformer<float> typed(t);
  const std::vector<Token> bad = {0, 4};
  const std::vector<std::int64_t> outs = {1};
  CHECK_THROWS_AS(forward(typed, bad, outs, ForwardOptions{}), std::invalid_argument);
  const std::vector<Token> ok = {0, 1};
  const std::vector<std::int64_t> unsorted = {1, 0};
  CHECK_THROWS_AS(forward(typed, ok, unsorted, ForwardOptions{}), std::invalid_argument);
  Transformer broken = t;
  broken.layers[0].heads[0].output.resize(3, 3);
  CHECK_THROWS_AS(TypedTransformer<float>{broken}, std::invalid_argument);
}
