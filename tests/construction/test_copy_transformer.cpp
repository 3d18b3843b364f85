// The copy transformer (docs/construction.md): each proof step against the forward pass.
#include <doctest/doctest.h>

#include <set>

#include "copyproof/construction/codes.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/decoder.hpp"
#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/hash_copy.hpp"
#include "copyproof/construction/layer1_reference.hpp"
#include "copyproof/construction/string_sources.hpp"
#include "copyproof/construction/transformer_file.hpp"
#include "copyproof/construction/verifier.hpp"

using namespace copyproof::construction;

namespace {

std::vector<Token> letters(const char* text) {
  std::vector<Token> x;
  for (const char* p = text; *p; ++p) x.push_back(*p - 'a');
  return x;
}

// Symbol (letter index, or CUT = D) that slice `name` holds at `position`, read off the
// float stream by the sign of each coordinate; -1 if the slice is all zeros.
int decoded_symbol(const RowMatrix<float>& stream, const Slice& s, std::int64_t position) {
  int symbol = 0;
  bool zero = true;
  for (int bit = 0; bit < s.width; ++bit) {
    const float v = stream(position, s.offset + bit);
    zero = zero && v == 0.0f;
    if (v > 0) symbol |= 1 << bit;
  }
  return zero ? -1 : symbol;
}

}  // namespace

TEST_CASE("step 0 (shape): closed-form sizes equal the built model's counts") {
  for (auto [D, n] : {std::pair{2, 1}, {2, 5}, {3, 3}, {4, 8}, {26, 4}, {300, 2}}) {
    const CopyTransformer ct = build_copy_transformer(D, n, 100);
    const CopyTransformerShape s = copy_transformer_shape(D, n);
    INFO("D = " << D << ", n = " << n);
    CHECK(s.d_model == ct.model.d_model());
    CHECK(s.params == ct.model.parameter_count());
    CHECK(s.nonzero_params == ct.model.nonzero_parameter_count());
    CHECK(s.layer1_heads == static_cast<int>(ct.model.layers[0].heads.size()));
    CHECK(s.layer2_key_width == ct.model.layers[1].heads[0].key.rows());
  }
}

TEST_CASE("blocks write only their own slices") {
  const CopyTransformer ct = build_copy_transformer(5, 4, 50);
  for (const auto& layer : ct.model.layers)
    for (const auto& h : layer.heads) {
      const Slice& s = ct.layout.named(h.name);  // every head is named after the slice it writes
      for (Eigen::Index row = 0; row < h.output.rows(); ++row) {
        const bool inside = row >= s.offset && row < s.end();
        if (!inside) CHECK(h.output.row(row).isZero());
      }
    }
}

TEST_CASE("step 1 (layer 1): every slice equals its definition, by hand, next to BOS and COPY") {
  // D = 3 (b = 2, CUT = 3), n = 3. Sequence: BOS a b c COPY a b  (positions 0..6).
  const CopyTransformer ct = build_copy_transformer(3, 3, 3);
  const std::vector<Token> x = letters("abc");
  std::vector<Token> seq = teacher_forced_sequence(ct.vocab, x);
  seq.resize(7);
  const std::vector<std::int64_t> outs = {6};
  const auto r = forward(TypedTransformer<float>(ct.model), seq, outs, ForwardOptions{1});
  const auto& s = r.last_layer_input;
  const int a = 0, b = 1, c = 2, CUT = 3, none = -1;
  // Rows: position; columns: q1, q2, k1, k2, k3. Windows: q_m over [i-m, i], k_m over [i-m, i-1],
  // clipped at 0; a separator anywhere in the window gives CUT; an empty window gives nothing.
  const int expected[7][5] = {
      /* 0 BOS  */ {CUT, CUT, none, none, none},
      /* 1 a    */ {CUT, CUT, CUT, CUT, CUT},
      /* 2 b    */ {a, CUT, a, CUT, CUT},
      /* 3 c    */ {b, a, b, a, CUT},
      /* 4 COPY */ {CUT, CUT, c, b, a},
      /* 5 a    */ {CUT, CUT, CUT, CUT, CUT},
      /* 6 b    */ {a, CUT, a, CUT, CUT},
  };
  const Slice* slices[5] = {&ct.layout.query(1), &ct.layout.query(2), &ct.layout.key(1), &ct.layout.key(2),
                            &ct.layout.key(3)};
  for (std::int64_t i = 0; i < 7; ++i)
    for (int col = 0; col < 5; ++col) {
      INFO("position " << i << ", slice " << slices[col]->name);
      CHECK(decoded_symbol(s, *slices[col], i) == expected[i][col]);
    }
  // The independent definition (layer1_reference) agrees with the hand table, and the float
  // stream is within the proof's per-coordinate bound of it.
  const Eigen::MatrixXd exact = exact_layer1_stream(ct.vocab, ct.layout, seq);
  CHECK((s.cast<double>() - exact).cwiseAbs().maxCoeff() <= ct.parameters.layer1_error_bound);
  for (std::int64_t i = 0; i < 7; ++i)
    for (int col = 0; col < 5; ++col) {
      const Slice& sl = *slices[col];
      const Eigen::VectorXd want =
          expected[i][col] < 0 ? Eigen::VectorXd::Zero(sl.width) : code_vector(expected[i][col], sl.width);
      CHECK((exact.row(i).segment(sl.offset, sl.width).transpose() - want).isZero());
    }
}

TEST_CASE("step 1 (layer 1): windows reaching before position 0 when no separator is there") {
  // A sequence that does not start with BOS: the window is clipped at 0 and the oldest
  // position present (0) wins.
  const CopyTransformer ct = build_copy_transformer(4, 4, 10);
  const std::vector<Token> seq = letters("dcab");
  const std::vector<std::int64_t> outs = {3};
  const auto r = forward(TypedTransformer<double>(ct.model), seq, outs, ForwardOptions{1});
  const Eigen::MatrixXd exact = exact_layer1_stream(ct.vocab, ct.layout, seq);
  CHECK((r.last_layer_input - exact).cwiseAbs().maxCoeff() <= ct.parameters.layer1_error_bound);
  CHECK(
      exact.row(1).segment(ct.layout.query(3).offset, 2).transpose().isApprox(code_vector(3, 2)));  // q3 at 1 = s_0 = d
  CHECK(exact.row(2).segment(ct.layout.key(4).offset, 2).transpose().isApprox(code_vector(3, 2)));  // k4 at 2 = s_0
}

TEST_CASE("steps 2-4: de Bruijn sequences are copied exactly, with the promised margin") {
  for (auto [D, n] : {std::pair{2, 1}, {2, 3}, {2, 6}, {3, 3}, {4, 3}, {5, 2}, {2, 9}}) {
    VerifyConfig c;
    c.alphabet = D;
    c.ngram = n;
    c.source = SourceKind::debruijn;
    c.samples = 3;  // the canonical sequence and two seeded rotations
    c.threads = 2;
    const VerifyReport r = verify(c);
    INFO("D = " << D << ", n = " << n);
    CHECK(r.length == static_cast<std::int64_t>(std::pow(D, n)) + n - 1);
    CHECK(r.strings_copied == 3);
    CHECK(r.strings_with_repeat == 0);
    CHECK(r.disagreements == 0);
    CHECK(r.unique_match_positions == 3 * (r.length + 1));  // every prediction has a unique match
    CHECK(r.min_match_mass >= r.parameters.match_mass_floor);
    CHECK(r.max_layer1_error <= r.parameters.layer1_error_bound);
  }
}

TEST_CASE("step 4: exhaustive D = 2: no repeated n-gram => copied; and the converse can fail") {
  for (auto [n, L] : {std::pair{2, 6}, {3, 10}, {4, 12}}) {
    VerifyConfig c;
    c.alphabet = 2;
    c.ngram = n;
    c.length = L;
    c.source = SourceKind::exhaustive;
    c.threads = 2;
    const VerifyReport r = verify(c);
    INFO("n = " << n << ", L = " << L);
    CHECK(r.strings == (1 << L));
    CHECK(r.violations == 0);
    CHECK(r.disagreements == 0);
    CHECK(r.strings_copied >= r.strings - r.strings_with_repeat);
    // The check can fail: some string with a repeated n-gram is not copied.
    REQUIRE(r.first_error.has_value());
    CHECK(r.first_error->repeated_ngram);
    CHECK(r.strings_copied < r.strings);
  }
}

TEST_CASE("step 3: the exact argmax threshold, recomputed from the unembedding weights") {
  // From the weights alone: logit matrix G(a', t) = U W_o W_v E: the logit of a' when the
  // layer-2 output is token t's value. For a right token a (its matched key carries token
  // t_a: a itself, or COPY for EOS) and a competitor a', mass w on t_a and 1 - w spread over
  // any value tokens gives logit(a) - logit(a') >= w P + (1 - w) N with P = G(a,t_a) - G(a',t_a),
  // N = min_t G(a,t) - G(a',t); this is positive for every spread iff w > -N / (P - N)
  // (when N < 0). The largest such w over all (a, a') is the exact threshold.
  for (int D : {2, 3, 5, 26}) {
    const CopyTransformer ct = build_copy_transformer(D, 2, 100);
    const AttentionHead& head = ct.model.layers[1].heads[0];
    // The stream's out slice is 0 before layer 2 (nothing else writes it), so the logits
    // are those of the layer-2 output alone: check that premise on the weights too.
    CHECK((ct.model.unembedding * ct.model.embedding).cwiseAbs().maxCoeff() == 0.0);
    const Eigen::MatrixXd G = ct.model.unembedding * head.output * head.value * ct.model.embedding;
    const Vocabulary& v = ct.vocab;
    double threshold = 0;
    for (Token a = 0; a < v.size(); ++a) {
      if (a == v.bos() || a == v.copy()) continue;  // never a right answer
      const Token ta = a == v.eos() ? v.copy() : a;
      for (Token other = 0; other < v.size(); ++other) {
        if (other == a) continue;
        const double gap_p = G(a, ta) - G(other, ta);
        REQUIRE(gap_p > 0);
        double N = gap_p;
        for (Token t = 0; t < v.size(); ++t)
          if (t != v.eos()) N = std::min(N, G(a, t) - G(other, t));  // EOS is never an input
        if (N < 0) threshold = std::max(threshold, -N / (gap_p - N));
      }
    }
    INFO("D = " << D);
    CHECK(threshold == argmax_match_mass_threshold());
    CHECK(ct.parameters.argmax_threshold == threshold);
    CHECK(ct.parameters.sufficient_match_mass > threshold);  // b / (b + 1): sufficient, not exact
  }
}

TEST_CASE("every L <= L_max: a model built for L_max = 2^40 copies short strings") {
  // Theorem 2.3 is stated for every L <= L_max; verify must be able to run strings shorter
  // than the L_max the model was built for.
  const std::int64_t huge = std::int64_t{1} << 40;
  for (std::int64_t L : {1, 5, 10}) {
    VerifyConfig c;
    c.alphabet = 2;
    c.ngram = 3;
    c.length = L;
    c.max_length = huge;
    c.source = SourceKind::exhaustive;
    c.threads = 2;
    const VerifyReport r = verify(c);
    INFO("L = " << L);
    CHECK(r.length == L);
    CHECK(r.max_length == huge);
    CHECK(r.parameters.max_length == huge);
    CHECK(r.parameters.lambda == copy_parameters(2, 3, huge).lambda);
    CHECK(r.strings == (std::int64_t{1} << L));
    CHECK(r.violations == 0);
    CHECK(r.disagreements == 0);
    CHECK(r.min_match_mass >= r.parameters.match_mass_floor);
  }
  VerifyConfig below;
  below.alphabet = 2;
  below.ngram = 3;
  below.length = 10;
  below.max_length = 9;
  CHECK_THROWS_AS(verify(below), std::invalid_argument);
}

namespace {

// A lambda scale at which, on broken_config's uniform strings, some unique match's mass
// falls to 1/2 or below while every unique-match prediction is still right (found by
// scanning 0.05 .. 0.6; the test below checks that it is so).
constexpr double kMarginOnlyScale = 0.5;

VerifyConfig broken_config(SourceKind source, double lambda_scale) {
  VerifyConfig c;
  c.alphabet = 2;
  c.ngram = 6;
  c.length = 200;
  c.samples = 20;
  c.source = source;
  c.seed = 3;
  c.threads = 2;
  c.diagnostic_lambda_scale = lambda_scale;
  return c;
}

}  // namespace

TEST_CASE("a deliberately broken model fails verify: every PASS/FAIL counter fires") {
  // lambda far below what step 3 needs: the matched key no longer dominates.
  SUBCASE("de Bruijn (no repeats): violations, disagreements, string error, margins") {
    const VerifyReport r = verify(broken_config(SourceKind::debruijn, 0.05));
    CHECK(r.parameters.lambda_scale == 0.05);
    CHECK(r.parameters.lambda == doctest::Approx(0.05 * copy_parameters(2, 6, r.length).lambda));
    CHECK(r.strings_with_repeat == 0);
    CHECK(r.violations > 0);
    CHECK(r.disagreements > 0);
    CHECK(r.string_error > r.repeat_fraction);
    CHECK(r.margin_failures > 0);
    CHECK(r.min_match_mass <= r.parameters.argmax_threshold);
    CHECK_FALSE(r.pass());
    REQUIRE(r.first_violation.has_value());
    CHECK_FALSE(r.first_violation->repeated_ngram);
    CHECK(r.first_violation->predicted != r.first_violation->expected);
    REQUIRE(r.first_disagreement.has_value());
    CHECK(r.first_disagreement->matches == 1);
    REQUIRE(r.first_margin_failure.has_value());
    CHECK(r.first_margin_failure->match_mass <= 0.5);
  }
  SUBCASE("planted repeats: disagreements fire although no string is a violation") {
    const VerifyReport r = verify(broken_config(SourceKind::planted, 0.05));
    CHECK(r.strings_with_repeat == r.strings);
    CHECK(r.violations == 0);
    CHECK(r.disagreements > 0);
    CHECK_FALSE(r.pass());
  }
  SUBCASE("margin alone: mass at or below 1/2 fails the run even where every copy is right") {
    const VerifyReport r = verify(broken_config(SourceKind::uniform, kMarginOnlyScale));
    CHECK(r.violations == 0);
    CHECK(r.disagreements == 0);
    CHECK(r.margin_failures > 0);
    CHECK_FALSE(r.pass());
  }
  SUBCASE("the unbroken model on the same strings passes") {
    for (SourceKind source : {SourceKind::debruijn, SourceKind::planted, SourceKind::uniform}) {
      const VerifyReport r = verify(broken_config(source, 1.0));
      CHECK(r.violations == 0);
      CHECK(r.disagreements == 0);
      CHECK(r.margin_failures == 0);
      CHECK(r.pass());
    }
  }
  CHECK_THROWS_AS(build_copy_transformer(2, 6, 100, CopyTransformerOptions{0.0}), std::invalid_argument);
  CHECK_THROWS_AS(build_copy_transformer(2, 6, 100, CopyTransformerOptions{1.5}), std::invalid_argument);
}

TEST_CASE("step 3 in float32: the matched mass is read in float64, free of the scores' float32 rounding") {
  // Scores here are ~lambda n b ~ 1e3, sums of 141 products; float32 rounds each score to
  // ~1e-4 .. 1e-3, and reading the mass as exp(fp32 score - fp32 log-sum-exp) moved it by
  // about that much (at D = 65536, n = 119 by 5%, below the proven floor). Read in float64
  // from the fp32 run's own layer-2 inputs, it agrees with the fp64 run's mass to 1e-9:
  // the two runs' streams differ only by layer 1's float32 rounding (~1e-7 relative),
  // which moves the near-1 mass by far less, as both masses are within 1e-9 of 1 here.
  VerifyConfig c;
  c.alphabet = 1000;
  c.ngram = 14;
  c.length = 100;
  c.samples = 1;
  c.seed = 2;
  c.threads = 2;
  const VerifyReport fp32 = verify(c);
  c.precision = Precision::fp64;
  const VerifyReport fp64 = verify(c);
  CHECK(std::abs(fp32.min_match_mass - fp64.min_match_mass) <= 1e-9);
  CHECK(fp32.min_match_mass <= 1.0);
  CHECK(fp32.min_match_mass >= fp32.parameters.match_mass_floor);
}

TEST_CASE("fp32 and fp64 predictions agree") {
  for (SourceKind source : {SourceKind::uniform, SourceKind::planted}) {
    const CopyTransformer ct = build_copy_transformer(3, 4, 200);
    const TypedTransformer<float> f32(ct.model);
    const TypedTransformer<double> f64(ct.model);
    const auto strings =
        source == SourceKind::uniform ? uniform_source(3, 200, 20, 5) : planted_source(3, 4, 200, 20, 5);
    for (std::int64_t i = 0; i < strings->count(); ++i) {
      const auto x = strings->string(i);
      const auto seq = teacher_forced_sequence(ct.vocab, x);
      const auto outs = copy_output_positions(200);
      CHECK(forward(f32, seq, outs, ForwardOptions{1}).predictions ==
            forward(f64, seq, outs, ForwardOptions{1}).predictions);
    }
  }
}

TEST_CASE("teacher-forced predictions = greedy autoregressive output up to the first mistake") {
  const CopyTransformer ct = build_copy_transformer(2, 4, 40);
  const TypedTransformer<float> typed(ct.model);
  int miscopied = 0;
  for (std::int64_t i = 0; i < 60; ++i) {
    const auto x = uniform_source(2, 40, 60, 9)->string(i);
    const auto tf = forward(typed, teacher_forced_sequence(ct.vocab, x), copy_output_positions(40), ForwardOptions{1});
    const auto ar = greedy_copy(typed, ct.vocab, x, 41);
    std::size_t k = 0;
    for (; k < ar.size(); ++k) {
      CHECK(ar[k] == tf.predictions[k]);
      const Token expected = k < x.size() ? x[k] : ct.vocab.eos();
      if (ar[k] != expected) break;
    }
    const bool tf_copied =
        std::equal(x.begin(), x.end(), tf.predictions.begin()) && tf.predictions.back() == ct.vocab.eos();
    std::vector<Token> want = x;
    want.push_back(ct.vocab.eos());
    CHECK((ar == want) == tf_copied);
    miscopied += tf_copied ? 0 : 1;
  }
  CHECK(miscopied > 0);  // L = 40 >> 2^4: many strings repeat a 4-gram; the comparison saw both cases
}

TEST_CASE("weights file: the copy transformer read back from safetensors predicts the same") {
  const CopyTransformer ct = build_copy_transformer(3, 4, 60);
  const copyproof::SafetensorsFile file = transformer_to_safetensors(ct.model);
  const Transformer back = transformer_from_safetensors(file);
  CHECK(back.parameter_count() == ct.model.parameter_count());
  CHECK((back.embedding - ct.model.embedding).isZero(0));
  CHECK(back.layers[1].heads[0].integer_score_unit == ct.parameters.lambda);
  CHECK(back.layers[0].heads[2].window.hi == ct.model.layers[0].heads[2].window.hi);
  CHECK(!back.layers[1].heads[0].window.bounded());
  const auto x = uniform_source(3, 60, 1, 4)->string(0);
  const auto seq = teacher_forced_sequence(ct.vocab, x);
  const auto outs = copy_output_positions(60);
  CHECK(forward(TypedTransformer<double>(back), seq, outs, ForwardOptions{1}).predictions ==
        forward(TypedTransformer<double>(ct.model), seq, outs, ForwardOptions{1}).predictions);
  copyproof::SafetensorsFile broken = file;
  broken.tensors.erase("layers.1.heads.0.key");
  CHECK_THROWS_AS(transformer_from_safetensors(broken), copyproof::SafetensorsError);
}
