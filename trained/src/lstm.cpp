// LSTM language model: embedding, a stack of LSTM layers (each feeding the next, as
// torch.nn.LSTM with num_layers > 1), linear head with bias.

#include <cmath>

#include <copyproof/trained/layers.hpp>
#include <copyproof/trained/lstm_layer.hpp>

#include "architectures.hpp"
#include "fixed_state.hpp"

namespace copyproof::trained {
namespace {

template <class T>
struct LstmActs : ActivationsBase {
  std::vector<Matrix<T>> h;  // layer l's input is h[l] (h[0] = embedding), output h[l+1]; (N, H)
  std::vector<LstmActivations<T>> layers;
  Matrix<T> logits;  // (N, V)
  int B = 0, T_ = 0;
};

template <class T>
struct LstmDecodeState : DecodeStateBase {
  std::vector<LstmState<T>> layers;
};

template <class T>
class Lstm final : public Network<T> {
 public:
  explicit Lstm(const ModelConfig& c) : Network<T>(c) {
    auto& L = this->layout_;
    wte_ = L.matrix("wte", c.vocab, c.width);
    for (int l = 0; l < c.layers; ++l)
      layers_.push_back(add_lstm_slots(L, "lstm" + std::to_string(l) + ".", c.width, c.width));
    head_w_ = L.matrix("head_w", c.width, c.vocab);
    head_b_ = L.vector("head_b", c.vocab);
  }

  // torch.nn defaults (uniform +-1/sqrt(H) for the LSTM and the head, N(0, 1) embedding)
  // plus the usual forget-gate bias of 1 (Jozefowicz et al., 2015) so memory starts open.
  void init(T* p, std::uint64_t seed) const override {
    Rng rng(seed);
    const int H = this->config_.width;
    const double bound = 1 / std::sqrt(double(H));
    fill_normal(p, wte_, 1.0, rng);
    for (const auto& s : layers_) {
      fill_uniform(p, s.w_x, bound, rng);
      fill_uniform(p, s.w_h, bound, rng);
      fill_uniform(p, s.bias, bound, rng);
      for (int j = H; j < 2 * H; ++j) p[s.bias.offset + j] += T(1);
    }
    fill_uniform(p, head_w_, bound, rng);
    fill_uniform(p, head_b_, bound, rng);
  }

  std::unique_ptr<ActivationsBase> new_activations() const override {
    auto a = std::make_unique<LstmActs<T>>();
    a->h.resize(layers_.size() + 1);
    a->layers.resize(layers_.size());
    return a;
  }

  std::unique_ptr<DecodeStateBase> new_state(int) const override {
    auto s = std::make_unique<LstmDecodeState<T>>();
    s->layers.resize(layers_.size());
    for (auto& st : s->layers) {
      st.h = Matrix<T>::Zero(1, this->config_.width);
      st.c = Matrix<T>::Zero(1, this->config_.width);
    }
    return s;
  }

  const Matrix<T>& forward(ActivationsBase& acts_base, const T* p, const int* tokens, int B, int T_,
                           DecodeStateBase* state) const override {
    auto& a = static_cast<LstmActs<T>&>(acts_base);
    auto* st = static_cast<LstmDecodeState<T>*>(state);
    const int H = this->config_.width;
    const Eigen::Index N = static_cast<Eigen::Index>(B) * T_;
    a.B = B;
    a.T_ = T_;
    a.h[0].resize(N, H);
    embedding_forward<T>(a.h[0], tokens, at(p, wte_));
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      a.h[l + 1].resize(N, H);
      lstm_forward<T>(a.h[l + 1], a.layers[l], a.h[l], p, layers_[l], H, B, T_, st ? &st->layers[l] : nullptr);
    }
    if (st) st->length += T_;
    a.logits.resize(N, this->config_.vocab);
    linear_forward<T>(a.logits, a.h.back(), at(p, head_w_), p + head_b_.offset);
    return a.logits;
  }

  void backward(T* g, ActivationsBase& acts_base, const T* p, const int* tokens,
                const Matrix<T>& dlogits) const override {
    auto& a = static_cast<LstmActs<T>&>(acts_base);
    const int H = this->config_.width;
    const Eigen::Index N = static_cast<Eigen::Index>(a.B) * a.T_;
    Matrix<T> dh = Matrix<T>::Zero(N, H);
    linear_backward<T>(dh, at(g, head_w_), g + head_b_.offset, dlogits, a.h.back(), at(p, head_w_));
    for (int l = static_cast<int>(layers_.size()) - 1; l >= 0; --l) {
      Matrix<T> din = Matrix<T>::Zero(N, H);
      lstm_backward<T>(din, g, dh, a.layers[l], a.h[l + 1], a.h[l], p, layers_[l], H, a.B, a.T_);
      dh = std::move(din);
    }
    embedding_backward<T>(at(g, wte_), dh, tokens);
  }

  long long state_numbers(long long) const override {  // h and c of every layer
    return 2LL * this->config_.width * static_cast<long long>(layers_.size());
  }

 private:
  Slot wte_, head_w_, head_b_;
  std::vector<LstmSlots> layers_;
};

}  // namespace

template <class T>
std::unique_ptr<Network<T>> make_lstm(const ModelConfig& config) {
  return std::make_unique<Lstm<T>>(config);
}
template std::unique_ptr<Network<float>> make_lstm<float>(const ModelConfig&);
template std::unique_ptr<Network<double>> make_lstm<double>(const ModelConfig&);

std::vector<Matrix<float>*> lstm_state_matrices(DecodeStateBase& state) {
  std::vector<Matrix<float>*> out;
  if (auto* s = dynamic_cast<LstmDecodeState<float>*>(&state))
    for (auto& layer : s->layers) out.push_back(&layer.h), out.push_back(&layer.c);
  return out;
}

}  // namespace copyproof::trained
