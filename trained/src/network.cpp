// Model kinds, the default configurations, the factory, and the one loss-and-gradient
// routine that training, the gradient checks and the benchmarks all use.

#include <copyproof/trained/enum_names.hpp>
#include <copyproof/trained/layers.hpp>
#include <copyproof/trained/network.hpp>

#include "architectures.hpp"

namespace copyproof::trained {

namespace {
constexpr EnumNames<ModelKind, 3> kModelNames{
    {{ModelKind::transformer, "transformer"}, {ModelKind::mamba, "mamba"}, {ModelKind::lstm, "lstm"}}};
}  // namespace

std::string to_string(ModelKind kind) { return name_of(kModelNames, kind); }
bool parse_model_kind(const std::string& text, ModelKind& out) { return parse_name(kModelNames, text, out); }

// Parameter matching (vocab 29): transformer 2 x 49,984 + 3,840 = 103,808;
// Mamba 3 layers of width 64 (expand 2, N = 16): 3 x 32,704 + 3,776 = 101,888;
// LSTM 2 layers of 78: 2 x 48,984 + 4,553 = 102,521. Each within 2% of the transformer.
std::vector<int> default_windows(int heads) {
  std::vector<int> w;
  for (int h = 0; h < heads / 2; ++h) w.push_back(h + 2);
  return w;
}

ModelConfig default_config(ModelKind kind, int vocab) {
  ModelConfig c;
  c.kind = kind;
  c.vocab = vocab;
  switch (kind) {
    case ModelKind::transformer:
      c.layers = 2;
      c.width = 64;
      c.heads = 8;
      c.pos = Position::hard_alibi;
      // Windows 2, 3, 4, 5 on half the heads: with a window of m a head sees the last m tokens, so
      // layer 1 can gather the few previous tokens (the n-gram) that layer 2's NoPE heads
      // look up; a window of 1 would see only the token itself.
      c.windows = default_windows(c.heads);
      break;
    case ModelKind::mamba:
      c.layers = 3;
      c.width = 64;
      c.state_dim = 16;
      break;
    case ModelKind::lstm:
      c.layers = 2;
      c.width = 78;
      break;
  }
  return c;
}

std::string config_problem(const ModelConfig& c) {
  if (c.kind == ModelKind::transformer) {
    if (c.width % c.heads != 0)
      return "--width " + std::to_string(c.width) + " is not divisible by --heads " + std::to_string(c.heads);
    if (c.pos == Position::rope && (c.width / c.heads) % 2 != 0)
      return "--pos rope needs an even head dimension (width / heads)";
    if (static_cast<int>(c.windows.size()) > c.heads)
      return "--windows lists " + std::to_string(c.windows.size()) + " windows for " + std::to_string(c.heads) +
             " heads";
  }
  return "";
}

template <class T>
std::unique_ptr<Network<T>> make_network(const ModelConfig& config) {
  switch (config.kind) {
    case ModelKind::transformer: return make_transformer<T>(config);
    case ModelKind::mamba: return make_mamba<T>(config);
    case ModelKind::lstm: return make_lstm<T>(config);
  }
  return nullptr;
}

long long TokenBatch::scored_count() const {
  long long n = 0;
  for (unsigned char s : scored) n += s;
  return n;
}

long long TokenBatch::real_token_count() const {
  long long n = 0;
  for (int r = 0; r < B; ++r)
    for (int t = T - 1; t >= 0; --t)
      if (scored[static_cast<std::size_t>(r) * T + t]) {
        n += t + 1;
        break;
      }
  return n;
}

template <class T>
double loss_and_gradient(const Network<T>& net, ActivationsBase& acts, const T* params, T* grads,
                         const TokenBatch& batch, T scale) {
  const Matrix<T>& logits = net.forward(acts, params, batch.inputs.data(), batch.B, batch.T, nullptr);
  std::vector<T> weights(batch.scored.begin(), batch.scored.end());
  Matrix<T> probs(logits.rows(), logits.cols());
  const double loss = crossentropy_forward<T>(probs, logits, batch.targets.data(), weights.data());
  if (grads) {
    Matrix<T> dlogits = Matrix<T>::Zero(logits.rows(), logits.cols());
    crossentropy_backward<T>(dlogits, probs, batch.targets.data(), weights.data(), scale);
    net.backward(grads, acts, params, batch.inputs.data(), dlogits);
  }
  return loss;
}

template std::unique_ptr<Network<float>> make_network<float>(const ModelConfig&);
template std::unique_ptr<Network<double>> make_network<double>(const ModelConfig&);
template double loss_and_gradient<float>(const Network<float>&, ActivationsBase&, const float*, float*,
                                         const TokenBatch&, float);
template double loss_and_gradient<double>(const Network<double>&, ActivationsBase&, const double*, double*,
                                          const TokenBatch&, double);

}  // namespace copyproof::trained
