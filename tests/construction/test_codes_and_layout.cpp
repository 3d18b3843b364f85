// Codes, residual layout, the theory's numbers and the closed-form shape.
#include <doctest/doctest.h>

#include <set>

#include "copyproof/construction/codes.hpp"
#include "copyproof/construction/copy_parameters.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/residual_layout.hpp"

using namespace copyproof::construction;

TEST_CASE("code gap: <c(u),c(v)> = b for u = v and <= b - 2 otherwise") {
  for (int D : {2, 3, 4, 7, 8, 26, 255, 256, 1000}) {
    const int b = code_bits(D);
    CHECK((1 << b) >= D + 1);       // enough codes for D letters and CUT
    CHECK((1 << (b - 1)) < D + 1);  // and no more bits than needed
    const int symbols = std::min(D + 1, 300);
    for (int u = 0; u < symbols; ++u) {
      const Eigen::VectorXd cu = code_vector(u, b);
      CHECK(cu.cwiseAbs().minCoeff() == 1.0);
      for (int v = 0; v < symbols; ++v) {
        const double dot = cu.dot(code_vector(v, b));
        if (u == v)
          CHECK(dot == b);
        else
          CHECK(dot <= b - 2);
      }
    }
  }
  CHECK(code_bits(65536) == 17);
}

TEST_CASE("separators and EOS code as CUT, letters as themselves") {
  const Vocabulary v{5};
  CHECK(code_symbol(v, 0) == 0);
  CHECK(code_symbol(v, 4) == 4);
  CHECK(code_symbol(v, v.bos()) == 5);
  CHECK(code_symbol(v, v.copy()) == 5);
  CHECK(code_symbol(v, v.eos()) == 5);
}

TEST_CASE("residual layout tiles the stream with named slices") {
  for (int n : {1, 2, 5, 12}) {
    const ResidualLayout layout(3, n);
    CHECK(layout.d_model() == (2 * n + 1) * 3 + 3);
    int next = 0;
    std::set<std::string> names;
    for (const auto& s : layout.slices()) {
      CHECK(s.offset == next);
      next = s.end();
      names.insert(s.name);
    }
    CHECK(next == layout.d_model());
    CHECK(names.size() == layout.slices().size());
    CHECK(layout.named("k" + std::to_string(n)).offset == layout.key(n).offset);
    if (n > 1) CHECK(layout.named("q1").offset == layout.query(1).offset);
    CHECK_THROWS(layout.named("q" + std::to_string(n)));  // q_m only for m < n
    CHECK_THROWS(layout.key(n + 1));
  }
}

TEST_CASE("theory numbers satisfy the inequalities they state") {
  for (int n : {1, 4, 12}) {
    for (std::int64_t L : {10, 65543, 16777227}) {
      const CopyParameters p = copy_parameters(4, n, L);
      CHECK(p.layer1_error_bound <= kLayer1ErrorTarget * (1 + 1e-12));
      CHECK(p.beta - p.alpha * n >= p.alpha - 1e-12);
      CHECK(p.match_mass_floor > p.sufficient_match_mass);
      CHECK(p.sufficient_match_mass > p.argmax_threshold);
      // (T - 1) e^{-2 lambda (1 - eta)} <= 1 / (2b)
      const double others = static_cast<double>(layer2_keys(L) - 1);
      CHECK(others * std::exp(-2 * p.lambda * (1 - p.score_perturbation)) <= 1.0 / (2 * p.code_bits) * (1 + 1e-9));
      // BOS penalty: a BOS key can score at most lambda * (n b - B) = 0 <= lambda (n b - 2)
      CHECK(n * p.code_bits - p.bos_penalty <= n * p.code_bits - 2);
    }
  }
}

TEST_CASE("shape: caps and closed forms") {
  const auto s = copy_transformer_shape(4, 8);
  CHECK(s.code_bits == 3);
  CHECK(s.d_model == 54);
  CHECK(s.layer1_heads == 15);
  CHECK(s.layer2_key_width == 25);
  CHECK_THROWS_AS(copy_transformer_shape(1, 3), std::invalid_argument);
  CHECK_THROWS_AS(copy_transformer_shape(65537, 3), std::invalid_argument);
  CHECK_THROWS_AS(copy_transformer_shape(4, 0), std::invalid_argument);
  CHECK(copy_transformer_shape(65536, 119).d_model <= kMaxDModel);
  CHECK_THROWS_AS(copy_transformer_shape(65536, 120), std::invalid_argument);
}
