// Mamba language model: embedding, pre-norm residual stack of [RMSNorm, Mamba block],
// final RMSNorm, linear head (the layout of the reference mamba_simple / MixerModel).

#include <cmath>

#include <copyproof/trained/layers.hpp>
#include <copyproof/trained/mamba_block.hpp>

#include "architectures.hpp"
#include "fixed_state.hpp"

namespace copyproof::trained {
namespace {

template <class T>
struct MambaLayerActs {
  Matrix<T> x, normed;  // (N, C) residual input, RMSNorm output
  Vector<T> rstd;       // (N)
  MambaActivations<T> block;
};

template <class T>
struct MambaActs : ActivationsBase {
  std::vector<MambaLayerActs<T>> layers;
  Matrix<T> x_final, normed;  // (N, C)
  Vector<T> rstd;             // (N)
  Matrix<T> logits;           // (N, V)
  int B = 0, T_ = 0;
};

template <class T>
struct MambaDecodeState : DecodeStateBase {
  std::vector<MambaState<T>> layers;
};

template <class T>
class Mamba final : public Network<T> {
 public:
  explicit Mamba(const ModelConfig& c) : Network<T>(c) {
    shape_.width = c.width;
    shape_.inner = 2 * c.width;  // expand = 2
    shape_.state = c.state_dim;
    shape_.dt_rank = (c.width + 15) / 16;  // ceil(C / 16)
    shape_.conv = 4;
    auto& L = this->layout_;
    wte_ = L.matrix("wte", c.vocab, c.width);
    for (int l = 0; l < c.layers; ++l) {
      const std::string p = "layers" + std::to_string(l) + ".";
      norms_.push_back(L.vector(p + "norm_w", c.width));
      blocks_.push_back(add_mamba_slots(L, p, shape_));
    }
    normf_ = L.vector("norm_f", c.width);
    head_ = L.matrix("head_w", c.width, c.vocab);
  }

  // Mamba's init: S4D-real A_log = log(n + 1); D = 1; dt_bias = softplus^-1(dt0) with dt0
  // log-uniform in [0.001, 0.1]; dt_proj uniform +-R^-1/2; conv uniform +-1/sqrt(K);
  // linear layers uniform +-1/sqrt(fan_in), out_proj scaled by 1/sqrt(layers); embedding N(0, 0.02).
  void init(T* p, std::uint64_t seed) const override {
    Rng rng(seed);
    const int Di = shape_.inner, N = shape_.state;
    fill_normal(p, wte_, 0.02, rng);
    for (std::size_t l = 0; l < blocks_.size(); ++l) {
      const MambaSlots& w = blocks_[l];
      fill_constant(p, norms_[l], 1.0);
      fill_uniform(p, w.in_proj, 1 / std::sqrt(double(shape_.width)), rng);
      fill_uniform(p, w.conv_w, 1 / std::sqrt(double(shape_.conv)), rng);
      fill_uniform(p, w.conv_b, 1 / std::sqrt(double(shape_.conv)), rng);
      fill_uniform(p, w.x_proj, 1 / std::sqrt(double(Di)), rng);
      fill_uniform(p, w.dt_proj, 1 / std::sqrt(double(shape_.dt_rank)), rng);
      for (int d = 0; d < Di; ++d) {
        const double dt0 = std::exp(std::log(0.001) + rng.uniform() * (std::log(0.1) - std::log(0.001)));
        p[w.dt_bias.offset + d] = T(dt0 + std::log(-std::expm1(-dt0)));  // softplus of this is dt0
        for (int n = 0; n < N; ++n) p[w.A_log.offset + static_cast<std::size_t>(d) * N + n] = T(std::log(n + 1.0));
      }
      fill_constant(p, w.D, 1.0);
      fill_uniform(p, w.out_proj, 1 / std::sqrt(double(Di) * double(blocks_.size())), rng);
    }
    fill_constant(p, normf_, 1.0);
    fill_uniform(p, head_, 1 / std::sqrt(double(shape_.width)), rng);
  }

  std::unique_ptr<ActivationsBase> new_activations() const override {
    auto a = std::make_unique<MambaActs<T>>();
    a->layers.resize(blocks_.size());
    return a;
  }

  std::unique_ptr<DecodeStateBase> new_state(int) const override {
    auto s = std::make_unique<MambaDecodeState<T>>();
    s->layers.resize(blocks_.size());
    for (auto& st : s->layers) {
      st.conv = Matrix<T>::Zero(shape_.conv - 1, shape_.inner);
      st.h = Matrix<T>::Zero(1, static_cast<Eigen::Index>(shape_.inner) * shape_.state);
    }
    return s;
  }

  const Matrix<T>& forward(ActivationsBase& acts_base, const T* p, const int* tokens, int B, int T_,
                           DecodeStateBase* state) const override {
    auto& a = static_cast<MambaActs<T>&>(acts_base);
    auto* st = static_cast<MambaDecodeState<T>*>(state);
    const int C = this->config_.width;
    const Eigen::Index N = static_cast<Eigen::Index>(B) * T_;
    a.B = B;
    a.T_ = T_;
    Matrix<T> x(N, C);
    embedding_forward<T>(x, tokens, at(p, wte_));
    for (std::size_t l = 0; l < blocks_.size(); ++l) {
      auto& la = a.layers[l];
      la.x = std::move(x);
      la.normed.resize(N, C);
      la.rstd.resize(N);
      rmsnorm_forward<T>(la.normed, la.rstd.data(), la.x, p + norms_[l].offset);
      Matrix<T> branch(N, C);
      mamba_block_forward<T>(branch, la.block, la.normed, p, blocks_[l], shape_, B, T_, st ? &st->layers[l] : nullptr);
      x = la.x + branch;
    }
    if (st) st->length += T_;
    a.x_final = std::move(x);
    a.normed.resize(N, C);
    a.rstd.resize(N);
    rmsnorm_forward<T>(a.normed, a.rstd.data(), a.x_final, p + normf_.offset);
    a.logits.resize(N, this->config_.vocab);
    linear_forward<T>(a.logits, a.normed, at(p, head_), nullptr);
    return a.logits;
  }

  void backward(T* g, ActivationsBase& acts_base, const T* p, const int* tokens,
                const Matrix<T>& dlogits) const override {
    auto& a = static_cast<MambaActs<T>&>(acts_base);
    const int C = this->config_.width;
    const Eigen::Index N = static_cast<Eigen::Index>(a.B) * a.T_;
    Matrix<T> dnormed = Matrix<T>::Zero(N, C);
    linear_backward<T>(dnormed, at(g, head_), nullptr, dlogits, a.normed, at(p, head_));
    Matrix<T> dx = Matrix<T>::Zero(N, C);
    rmsnorm_backward<T>(dx, g + normf_.offset, dnormed, a.x_final, a.rstd.data(), p + normf_.offset);
    for (int l = static_cast<int>(blocks_.size()) - 1; l >= 0; --l) {
      const auto& la = a.layers[l];
      dnormed.setZero();
      mamba_block_backward<T>(dnormed, g, dx, la.block, la.normed, p, blocks_[l], shape_, a.B, a.T_);
      rmsnorm_backward<T>(dx, g + norms_[l].offset, dnormed, la.x, la.rstd.data(), p + norms_[l].offset);
    }
    embedding_backward<T>(at(g, wte_), dx, tokens);
  }

  long long state_numbers(long long) const override {
    return static_cast<long long>(blocks_.size()) * shape_.state_numbers();
  }

 private:
  MambaShape shape_;
  Slot wte_, normf_, head_;
  std::vector<Slot> norms_;
  std::vector<MambaSlots> blocks_;
};

}  // namespace

template <class T>
std::unique_ptr<Network<T>> make_mamba(const ModelConfig& config) {
  return std::make_unique<Mamba<T>>(config);
}
template std::unique_ptr<Network<float>> make_mamba<float>(const ModelConfig&);
template std::unique_ptr<Network<double>> make_mamba<double>(const ModelConfig&);

std::vector<Matrix<float>*> mamba_state_matrices(DecodeStateBase& state) {
  std::vector<Matrix<float>*> out;
  if (auto* s = dynamic_cast<MambaDecodeState<float>*>(&state))
    for (auto& layer : s->layers) out.push_back(&layer.h), out.push_back(&layer.conv);
  return out;
}

}  // namespace copyproof::trained
