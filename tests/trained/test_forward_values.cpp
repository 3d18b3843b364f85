// Forward values against numbers computed by hand (independently of this code, from the
// formulas in attention.hpp / mamba_block.hpp / adamw.hpp, in double precision): RoPE,
// ALiBi and Hard-ALiBi attention, the Mamba scan, one AdamW step, the learning-rate
// schedule; and the trained weights are byte-identical for any thread count.

#include <copyproof/trained/adamw.hpp>
#include <copyproof/trained/attention.hpp>
#include <copyproof/trained/mamba_block.hpp>
#include <copyproof/trained/network.hpp>
#include <copyproof/trained/tasks.hpp>
#include <copyproof/trained/trainer.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

using namespace copyproof::trained;

// Double-precision forwards agree with the hand values to their 12 printed digits.
constexpr double kHandDigits = 1e-11;

TEST_CASE("RoPE rotates the pairs (i, i + d/2) by pos * 10000^(-2i/d)") {
  // d = 4, position 1: angles 1 and 10000^(-1/2) = 0.01 rad on pairs (x0, x2), (x1, x3).
  AttentionShape shape;
  shape.heads = 1;
  shape.head_dim = 4;
  shape.pos = Position::rope;
  Matrix<double> x(1, 4);
  x << 1, 2, 3, 4;
  rope_rotate<double>(x, 1, shape, +1);
  // cos1 - 3 sin1, 2 cos.01 - 4 sin.01, sin1 + 3 cos1, 2 sin.01 + 4 cos.01
  CHECK(x(0, 0) == doctest::Approx(-1.984110648556).epsilon(kHandDigits));
  CHECK(x(0, 1) == doctest::Approx(1.959900667497).epsilon(kHandDigits));
  CHECK(x(0, 2) == doctest::Approx(2.462377902412).epsilon(kHandDigits));
  CHECK(x(0, 3) == doctest::Approx(4.019799668335).epsilon(kHandDigits));
  rope_rotate<double>(x, 1, shape, -1);  // the inverse rotation restores x
  CHECK(x(0, 0) == doctest::Approx(1).epsilon(kHandDigits));
  CHECK(x(0, 3) == doctest::Approx(4).epsilon(kHandDigits));
}

namespace {
// Two heads of dimension 1, two positions: q = [[0,0],[1,2]], k = [[1,1],[0.5,-1]],
// v = [[1,10],[3,30]] (column h belongs to head h).
Matrix<double> attend(const AttentionShape& shape) {
  Matrix<double> q(2, 2), k(2, 2), v(2, 2), out(2, 2), probs(4, 2);
  q << 0, 0, 1, 2;
  k << 1, 1, 0.5, -1;
  v << 1, 10, 3, 30;
  attention_forward<double>(out, probs, q, k, v, shape);
  return out;
}
}  // namespace

TEST_CASE("ALiBi subtracts slope_h * distance: slopes 1/16 and 1/256 for two heads") {
  AttentionShape shape;
  shape.heads = 2;
  shape.head_dim = 1;
  shape.pos = Position::alibi;
  CHECK(shape.alibi_slope(0) == 1.0 / 16);
  CHECK(shape.alibi_slope(1) == 1.0 / 256);
  const Matrix<double> out = attend(shape);
  // head 0, position 1: scores [1 - 1/16, 0.5] -> softmax -> mix of v = 1, 3.
  CHECK(out(0, 0) == doctest::Approx(1.0).epsilon(kHandDigits));
  CHECK(out(1, 0) == doctest::Approx(1.784673660334).epsilon(kHandDigits));
  // head 1, position 1: scores [2 - 1/256, -2] -> mix of v = 10, 30.
  CHECK(out(0, 1) == doctest::Approx(10.0).epsilon(kHandDigits));
  CHECK(out(1, 1) == doctest::Approx(10.361106699470).epsilon(kHandDigits));
}

TEST_CASE("Hard-ALiBi: a head with window 1 sees only its own position; window 0 is NoPE") {
  AttentionShape shape;
  shape.heads = 2;
  shape.head_dim = 1;
  shape.pos = Position::hard_alibi;
  shape.windows = {1, 0};
  const Matrix<double> out = attend(shape);
  CHECK(out(1, 0) == 3.0);  // only v[1] visible
  // head 1 without a window: scores [2, -2], weights e^4/(e^4+1), 1/(e^4+1).
  const double w0 = std::exp(4.0) / (std::exp(4.0) + 1);
  CHECK(out(1, 1) == doctest::Approx(w0 * 10 + (1 - w0) * 30).epsilon(kHandDigits));
}

TEST_CASE("Mamba block forward: the selective scan on one channel with N = 1, by hand") {
  MambaShape s;
  s.width = 1;
  s.inner = 1;
  s.state = 1;
  s.dt_rank = 1;
  s.conv = 2;
  ParameterLayout layout;
  const MambaSlots w = add_mamba_slots(layout, "", s);
  std::vector<double> p(layout.size(), 0.0);
  p[w.in_proj.offset] = 1;      // x = in
  p[w.in_proj.offset + 1] = 1;  // z = in
  p[w.conv_w.offset] = 0;       // tap on the previous input
  p[w.conv_w.offset + 1] = 1;   // tap on the current input: xc = x
  p[w.conv_b.offset] = 0;
  p[w.x_proj.offset] = 0.3;       // dt_low = 0.3 u
  p[w.x_proj.offset + 1] = 0.7;   // B = 0.7 u
  p[w.x_proj.offset + 2] = -0.4;  // C = -0.4 u
  p[w.dt_proj.offset] = 0.8;
  p[w.dt_bias.offset] = 0.1;          // dt = softplus(0.8 dt_low + 0.1)
  p[w.A_log.offset] = std::log(0.5);  // A = -0.5
  p[w.D.offset] = 0.25;
  p[w.out_proj.offset] = 1.5;
  Matrix<double> in(3, 1), out(3, 1);
  in << 0.5, -1.0, 2.0;
  MambaActivations<double> acts;
  mamba_block_forward<double>(out, acts, in, p.data(), w, s, 1, 3, nullptr);
  // u = silu(x); h_t = exp(-0.5 dt) h_{t-1} + dt B u; y = h C + 0.25 u; out = 1.5 y silu(z).
  CHECK(out(0, 0) == doctest::Approx(0.033233255749).epsilon(kHandDigits));
  CHECK(out(1, 0) == doctest::Approx(0.023943858914).epsilon(kHandDigits));
  CHECK(out(2, 0) == doctest::Approx(-2.916852424415).epsilon(kHandDigits));
}

TEST_CASE("AdamW: one step against hand arithmetic (clipping, bias correction, decoupled decay)") {
  ParameterLayout layout;
  layout.matrix("w", 1, 2);  // decayed
  layout.vector("b", 1);     // not decayed
  AdamW opt(layout, AdamWConfig{});
  float params[3] = {1.0f, -2.0f, 0.5f};
  float grads[3] = {0.3f, -0.4f, 4.0f};
  const double norm = opt.step(params, grads, 0.1);
  // |g| = sqrt(0.09 + 0.16 + 16) = sqrt(16.25) > 1: g' = g / 4.03113. At t = 1,
  // m^ = g', v^ = g'^2, so the update is g' / (|g'| + 1e-8) = sign(g) (1 - 1e-8/|g'|).
  CHECK(norm == doctest::Approx(std::sqrt(16.25)).epsilon(1e-7));  // float gradients summed in double
  const double n = std::sqrt(16.25);
  auto expect = [&](double p, double g, bool decay) {
    const double gc = g / n;
    return p - 0.1 * gc / (std::abs(gc) + 1e-8) - (decay ? 0.1 * 0.01 * p : 0.0);
  };
  // float32 parameters and moments: a few roundings of relative size 6e-8 each.
  CHECK(params[0] == doctest::Approx(expect(1.0, 0.3, true)).epsilon(1e-6));    // 1 - 0.1 - 0.001 = 0.899
  CHECK(params[1] == doctest::Approx(expect(-2.0, -0.4, true)).epsilon(1e-6));  // -2 + 0.1 + 0.002 = -1.898
  CHECK(params[2] == doctest::Approx(expect(0.5, 4.0, false)).epsilon(1e-6));   // 0.5 - 0.1 = 0.4, no decay
  CHECK(params[0] == doctest::Approx(0.899).epsilon(1e-6));
  CHECK(params[2] == doctest::Approx(0.4).epsilon(1e-6));
}

TEST_CASE("learning-rate schedule: linear warmup, then cosine to the floor at the last step") {
  // 22 steps, warmup 1: the cosine spans steps 1..21, so step 11 is its midpoint.
  CHECK(scheduled_lr(0, 22, 1, 2.0) == 2.0);
  CHECK(scheduled_lr(1, 22, 1, 2.0) == 2.0);
  CHECK(scheduled_lr(11, 22, 1, 2.0) == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(scheduled_lr(21, 22, 1, 2.0) == doctest::Approx(0.0));
  CHECK(scheduled_lr(11, 22, 1, 2.0, 0.1) == doctest::Approx(2.0 * 0.55).epsilon(1e-15));
  CHECK(scheduled_lr(21, 22, 1, 2.0, 0.1) == doctest::Approx(0.2).epsilon(1e-15));
  // warmup 4: peak (s + 1) / 4
  CHECK(scheduled_lr(0, 100, 4, 1.0) == 0.25);
  CHECK(scheduled_lr(2, 100, 4, 1.0) == 0.75);
  CHECK(scheduled_lr(3, 100, 4, 1.0) == 1.0);
}

TEST_CASE("trained weights are byte-identical for 1, 2 and 3 threads") {
  for (ModelKind kind : {ModelKind::transformer, ModelKind::mamba, ModelKind::lstm}) {
    ModelConfig mc = default_config(kind, kVocab);
    mc.layers = 1;
    mc.width = 8;
    if (kind == ModelKind::transformer) mc.heads = 2, mc.windows = default_windows(2);
    if (kind == ModelKind::mamba) mc.state_dim = 2;
    const auto net = make_network<float>(mc);
    TrainConfig tc;
    tc.min_length = 2;
    tc.max_length = 6;
    tc.steps = 3;
    tc.batch = 24;  // three micro-batches
    tc.lr = 1e-2;
    tc.seed = 7;
    std::vector<Buffer<float>> trained;
    for (int threads : {1, 2, 3}) {
      Buffer<float> params(net->parameter_count());
      net->init(params.data(), 7);
      tc.threads = threads;
      train(*net, params, tc, [](const TrainProgress&) {});
      trained.push_back(params);
    }
    CAPTURE(to_string(kind));
    CHECK(std::memcmp(trained[0].data(), trained[1].data(), trained[0].size() * sizeof(float)) == 0);
    CHECK(std::memcmp(trained[0].data(), trained[2].data(), trained[0].size() * sizeof(float)) == 0);
  }
}

TEST_CASE("non-padding tokens: each sequence counts up to its last answer token, padding does not") {
  const TokenBatch b = make_batch(Task::copy, 4, 2, 9, 3, 5, 0);
  long long expected = 0;
  for (int r = 0; r < b.B; ++r) {
    int last = -1;
    for (int t = 0; t < b.T; ++t)
      if (b.scored[static_cast<std::size_t>(r * b.T + t)]) last = t;
    expected += last + 1;
  }
  CHECK(b.real_token_count() == expected);
  CHECK(b.real_token_count() < static_cast<long long>(b.B) * b.T);  // lengths 2..9 differ, so some rows are padded
  // copy: BOS x SEP x EOS has 2 L + 3 tokens, the model reads all but the last: 2 L + 2.
  const TokenBatch one = make_batch(Task::copy, 1, 7, 7, 3, 5, 0);
  CHECK(one.real_token_count() == 2 * 7 + 2);
}
