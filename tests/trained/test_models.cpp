// Whole-model checks per architecture: gradient against finite differences (float64),
// decoding through the KV cache / recurrent state equals the full forward, and an
// overfit-one-batch test (float32, the training path).

#include <copyproof/trained/adamw.hpp>
#include <copyproof/trained/network.hpp>
#include <copyproof/trained/tasks.hpp>

#include "gradcheck.hpp"

using namespace copyproof;
using namespace copyproof::trained;
using namespace copyproof::trained::test;

namespace {

ModelConfig tiny(ModelKind kind, Position pos = Position::nope) {
  ModelConfig c;
  c.kind = kind;
  c.vocab = kVocab;
  c.layers = 2;
  c.width = kind == ModelKind::lstm ? 6 : 8;
  c.heads = 2;
  c.state_dim = 4;
  c.pos = pos;
  if (pos == Position::hard_alibi) c.windows = {2};
  return c;
}

std::vector<ModelConfig> every_architecture() {
  return {tiny(ModelKind::transformer, Position::nope),
          tiny(ModelKind::transformer, Position::rope),
          tiny(ModelKind::transformer, Position::alibi),
          tiny(ModelKind::transformer, Position::hard_alibi),
          tiny(ModelKind::mamba),
          tiny(ModelKind::lstm)};
}

std::string name(const ModelConfig& c) {
  return to_string(c.kind) + (c.kind == ModelKind::transformer ? "/" + to_string(c.pos) : "");
}

}  // namespace

TEST_CASE("whole-model gradients match finite differences for every architecture") {
  for (const ModelConfig& config : every_architecture()) {
    CAPTURE(name(config));
    const auto net = make_network<double>(config);
    std::vector<double> params(net->parameter_count());
    net->init(params.data(), 21);
    // Larger random weights than the init so every path carries signal to the loss.
    Rng rng(22);
    for (double& p : params) p += 0.3 * rng.normal();
    const TokenBatch batch = make_batch(Task::copy, 2, 2, 4, 3, 23, 0);
    auto acts = net->new_activations();
    std::vector<double> grads(params.size(), 0.0);
    loss_and_gradient<double>(*net, *acts, params.data(), grads.data(), batch, 1.0);
    std::vector<Blob> blobs;
    for (const auto& s : net->layout().slots())
      blobs.push_back({s.name, params.data() + s.slot.offset, s.slot.size(), grads.data() + s.slot.offset});
    auto loss = [&] { return loss_and_gradient<double>(*net, *acts, params.data(), nullptr, batch, 1.0); };
    COPYPROOF_CHECK_GRADIENTS(blobs, loss);
  }
}

// Tolerance 1e-4 on float32 logits of size ~1: the cached path sums the same terms in a
// different grouping (one query row at a time), so only float rounding (~1e-6) differs.
TEST_CASE("decoding token by token through the state equals the full forward") {
  for (const ModelConfig& config : every_architecture()) {
    CAPTURE(name(config));
    const auto net = make_network<float>(config);
    std::vector<float> params(net->parameter_count());
    net->init(params.data(), 31);
    Rng rng(32);
    for (float& p : params) p += 0.2f * static_cast<float>(rng.normal());
    const std::vector<int> tokens{kBos, 3, 1, 4, 1, 5, kSep, 3, 1};
    const int T = static_cast<int>(tokens.size());
    auto acts = net->new_activations();
    const Matrix<float> full = net->forward(*acts, params.data(), tokens.data(), 1, T, nullptr);
    auto state = net->new_state(T);
    Matrix<float> stepped(T, kVocab);
    stepped.topRows(4) = net->forward(*acts, params.data(), tokens.data(), 1, 4, state.get());  // a prompt chunk
    for (int t = 4; t < T; ++t) stepped.row(t) = net->forward(*acts, params.data(), &tokens[t], 1, 1, state.get());
    CHECK((full - stepped).cwiseAbs().maxCoeff() < 1e-4f);
    CHECK(state->length == T);
  }
}

// Every architecture must be able to memorize one small batch: a backward that is wrong
// in sign or scale stalls the loss. 300 AdamW steps at lr 1e-2 take a tiny model from
// ~ln(29) = 3.4 nats to well under 0.1 when the gradient is right.
TEST_CASE("every architecture overfits one batch") {
  for (ModelKind kind : {ModelKind::transformer, ModelKind::mamba, ModelKind::lstm}) {
    ModelConfig config = tiny(kind, Position::hard_alibi);
    config.width = 16;
    CAPTURE(to_string(kind));
    const auto net = make_network<float>(config);
    Buffer<float> params(net->parameter_count()), grads(params.size());
    net->init(params.data(), 41);
    const TokenBatch batch = make_batch(Task::copy, 4, 3, 5, 3, 42, 0);
    const float scale = 1.0f / static_cast<float>(batch.scored_count());
    auto acts = net->new_activations();
    AdamWConfig adam;
    adam.weight_decay = 0;
    AdamW optimizer(net->layout(), adam);
    double first = 0, last = 0;
    for (int step = 0; step < 300; ++step) {
      std::fill(grads.begin(), grads.end(), 0.0f);
      last = scale * loss_and_gradient<float>(*net, *acts, params.data(), grads.data(), batch, scale);
      if (step == 0) first = last;
      optimizer.step(params.data(), grads.data(), 1e-2);
    }
    INFO("loss " << first << " -> " << last);
    CHECK(first > 2.5);
    CHECK(last < 0.1);
  }
}

TEST_CASE("default configurations are parameter-matched within 2%") {
  const auto t = make_network<float>(default_config(ModelKind::transformer, kVocab))->parameter_count();
  const auto m = make_network<float>(default_config(ModelKind::mamba, kVocab))->parameter_count();
  const auto l = make_network<float>(default_config(ModelKind::lstm, kVocab))->parameter_count();
  CHECK(t == 103808);
  CHECK(m == 101888);
  CHECK(l == 102521);
  CHECK(std::abs(static_cast<double>(m) - static_cast<double>(t)) < 0.02 * static_cast<double>(t));
  CHECK(std::abs(static_cast<double>(l) - static_cast<double>(t)) < 0.02 * static_cast<double>(t));
}
