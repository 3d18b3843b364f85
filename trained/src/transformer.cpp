// Pre-norm decoder-only transformer (GPT-2 block: LayerNorm, attention, residual,
// LayerNorm, GELU MLP, residual), no learned position embedding: positions come only
// from the attention's option (NoPE, RoPE, ALiBi, Hard-ALiBi), as in the paper's models.

#include <cmath>

#include <copyproof/trained/layers.hpp>

#include "architectures.hpp"

namespace copyproof::trained {
namespace {

struct BlockSlots {
  Slot ln1_w, ln1_b;    // (C), (C)
  Slot qkv_w, qkv_b;    // (C, 3C), (3C)  columns: q | k | v, head h at h*d within each
  Slot proj_w, proj_b;  // (C, C), (C)
  Slot ln2_w, ln2_b;    // (C), (C)
  Slot fc_w, fc_b;      // (C, 4C), (4C)
  Slot fc2_w, fc2_b;    // (4C, C), (C)
};

template <class T>
struct BlockActs {
  Matrix<T> x;                   // (N, C) block input (residual stream)
  Matrix<T> ln1;                 // (N, C)
  Vector<T> ln1_mean, ln1_rstd;  // (N)
  Matrix<T> qkv;                 // (N, 3C) q and k after RoPE
  Matrix<T> probs;               // (B*H*Tq, Tk)
  Matrix<T> att;                 // (N, C)
  Matrix<T> mid;                 // (N, C) x + attention branch
  Matrix<T> ln2;                 // (N, C)
  Vector<T> ln2_mean, ln2_rstd;  // (N)
  Matrix<T> pre, act;            // (N, 4C)
};

template <class T>
struct TransformerActs : ActivationsBase {
  std::vector<BlockActs<T>> blocks;
  Matrix<T> x_final, lnf;        // (N, C)
  Vector<T> lnf_mean, lnf_rstd;  // (N)
  Matrix<T> logits;              // (N, V)
  int B = 0, T_ = 0;
};

template <class T>
struct KvCache : DecodeStateBase {
  std::vector<Matrix<T>> k, v;  // per layer (max_length, C), rows [0, length) filled
};

// A trained transformer (a Network; construction::Transformer is the copy construction's
// weights-as-data model, a different thing), hence the name.
template <class T>
class TransformerNetwork final : public Network<T> {
 public:
  explicit TransformerNetwork(const ModelConfig& c) : Network<T>(c) {
    const int C = c.width, V = c.vocab;
    shape_.heads = c.heads;
    shape_.head_dim = C / c.heads;
    shape_.pos = c.pos;
    shape_.windows = c.windows;
    auto& L = this->layout_;
    wte_ = L.matrix("wte", V, C);
    for (int l = 0; l < c.layers; ++l) {
      const std::string p = "h" + std::to_string(l) + ".";
      BlockSlots b;
      b.ln1_w = L.vector(p + "ln1_w", C);
      b.ln1_b = L.vector(p + "ln1_b", C);
      b.qkv_w = L.matrix(p + "qkv_w", C, 3 * C);
      b.qkv_b = L.vector(p + "qkv_b", 3 * C);
      b.proj_w = L.matrix(p + "proj_w", C, C);
      b.proj_b = L.vector(p + "proj_b", C);
      b.ln2_w = L.vector(p + "ln2_w", C);
      b.ln2_b = L.vector(p + "ln2_b", C);
      b.fc_w = L.matrix(p + "fc_w", C, 4 * C);
      b.fc_b = L.vector(p + "fc_b", 4 * C);
      b.fc2_w = L.matrix(p + "fc2_w", 4 * C, C);
      b.fc2_b = L.vector(p + "fc2_b", C);
      blocks_.push_back(b);
    }
    lnf_w_ = L.vector("lnf_w", C);
    lnf_b_ = L.vector("lnf_b", C);
    head_ = L.matrix("head_w", C, V);
  }

  // GPT-2 init: N(0, 0.02), residual-branch outputs scaled by 1/sqrt(2 layers), norms 1, biases 0.
  void init(T* p, std::uint64_t seed) const override {
    Rng rng(seed);
    const double std = 0.02, residual_std = 0.02 / std::sqrt(2.0 * this->config_.layers);
    for (const auto& info : this->layout_.slots()) fill_constant(p, info.slot, 0.0);
    fill_normal(p, wte_, std, rng);
    for (const auto& b : blocks_) {
      fill_constant(p, b.ln1_w, 1.0);
      fill_constant(p, b.ln2_w, 1.0);
      fill_normal(p, b.qkv_w, std, rng);
      fill_normal(p, b.proj_w, residual_std, rng);
      fill_normal(p, b.fc_w, std, rng);
      fill_normal(p, b.fc2_w, residual_std, rng);
    }
    fill_constant(p, lnf_w_, 1.0);
    fill_normal(p, head_, std, rng);
  }

  std::unique_ptr<ActivationsBase> new_activations() const override {
    auto a = std::make_unique<TransformerActs<T>>();
    a->blocks.resize(blocks_.size());
    return a;
  }

  std::unique_ptr<DecodeStateBase> new_state(int max_length) const override {
    auto s = std::make_unique<KvCache<T>>();
    for (std::size_t l = 0; l < blocks_.size(); ++l) {
      s->k.emplace_back(max_length, this->config_.width);
      s->v.emplace_back(max_length, this->config_.width);
    }
    return s;
  }

  const Matrix<T>& forward(ActivationsBase& acts_base, const T* p, const int* tokens, int B, int T_,
                           DecodeStateBase* state) const override {
    auto& a = static_cast<TransformerActs<T>&>(acts_base);
    auto* cache = static_cast<KvCache<T>*>(state);
    const int C = this->config_.width, H = shape_.heads;
    const Eigen::Index N = static_cast<Eigen::Index>(B) * T_;
    const int pos0 = cache ? cache->length : 0;
    a.B = B;
    a.T_ = T_;
    Matrix<T> x(N, C);
    embedding_forward<T>(x, tokens, at(p, wte_));
    for (std::size_t l = 0; l < blocks_.size(); ++l) {
      const BlockSlots& w = blocks_[l];
      BlockActs<T>& b = a.blocks[l];
      b.x = std::move(x);
      b.ln1.resize(N, C);
      b.ln1_mean.resize(N);
      b.ln1_rstd.resize(N);
      layernorm_forward<T>(b.ln1, b.ln1_mean.data(), b.ln1_rstd.data(), b.x, p + w.ln1_w.offset, p + w.ln1_b.offset);
      b.qkv.resize(N, 3 * C);
      linear_forward<T>(b.qkv, b.ln1, at(p, w.qkv_w), p + w.qkv_b.offset);
      b.att.resize(N, C);
      for (int s = 0; s < B; ++s) {
        auto rows = b.qkv.middleRows(static_cast<Eigen::Index>(s) * T_, T_);
        if (shape_.pos == Position::rope) {
          rope_rotate<T>(rows.leftCols(C), pos0, shape_, +1);
          rope_rotate<T>(rows.middleCols(C, C), pos0, shape_, +1);
        }
        auto out = b.att.middleRows(static_cast<Eigen::Index>(s) * T_, T_);
        if (cache) {  // append this chunk's keys and values, attend over everything so far
          cache->k[l].middleRows(pos0, T_) = rows.middleCols(C, C);
          cache->v[l].middleRows(pos0, T_) = rows.rightCols(C);
          const int Tk = pos0 + T_;
          b.probs.resize(static_cast<Eigen::Index>(H) * T_, Tk);
          attention_forward<T>(out, b.probs, rows.leftCols(C), cache->k[l].topRows(Tk), cache->v[l].topRows(Tk),
                               shape_);
        } else {
          if (s == 0) b.probs.resize(static_cast<Eigen::Index>(B) * H * T_, T_);
          attention_forward<T>(out, b.probs.middleRows(static_cast<Eigen::Index>(s) * H * T_, H * T_), rows.leftCols(C),
                               rows.middleCols(C, C), rows.rightCols(C), shape_);
        }
      }
      b.mid = b.x;
      {
        Matrix<T> branch(N, C);
        linear_forward<T>(branch, b.att, at(p, w.proj_w), p + w.proj_b.offset);
        b.mid += branch;
      }
      b.ln2.resize(N, C);
      b.ln2_mean.resize(N);
      b.ln2_rstd.resize(N);
      layernorm_forward<T>(b.ln2, b.ln2_mean.data(), b.ln2_rstd.data(), b.mid, p + w.ln2_w.offset, p + w.ln2_b.offset);
      b.pre.resize(N, 4 * C);
      b.act.resize(N, 4 * C);
      Matrix<T> branch(N, C);
      mlp_forward<T>(branch, b.pre, b.act, b.ln2, at(p, w.fc_w), p + w.fc_b.offset, at(p, w.fc2_w), p + w.fc2_b.offset);
      x = b.mid + branch;
    }
    if (cache) cache->length += T_;
    a.x_final = std::move(x);
    a.lnf.resize(N, C);
    a.lnf_mean.resize(N);
    a.lnf_rstd.resize(N);
    layernorm_forward<T>(a.lnf, a.lnf_mean.data(), a.lnf_rstd.data(), a.x_final, p + lnf_w_.offset, p + lnf_b_.offset);
    a.logits.resize(N, this->config_.vocab);
    linear_forward<T>(a.logits, a.lnf, at(p, head_), nullptr);
    return a.logits;
  }

  // One residual-stream gradient dx flows down; each branch's backward adds into it.
  void backward(T* g, ActivationsBase& acts_base, const T* p, const int* tokens,
                const Matrix<T>& dlogits) const override {
    auto& a = static_cast<TransformerActs<T>&>(acts_base);
    const int C = this->config_.width, H = shape_.heads, B = a.B, T_ = a.T_;
    const Eigen::Index N = static_cast<Eigen::Index>(B) * T_;
    Matrix<T> dlnf = Matrix<T>::Zero(N, C);
    linear_backward<T>(dlnf, at(g, head_), nullptr, dlogits, a.lnf, at(p, head_));
    Matrix<T> dx = Matrix<T>::Zero(N, C);
    layernorm_backward<T>(dx, g + lnf_w_.offset, g + lnf_b_.offset, dlnf, a.x_final, a.lnf_mean.data(),
                          a.lnf_rstd.data(), p + lnf_w_.offset);
    Matrix<T> dln(N, C), dpre(N, 4 * C), dact(N, 4 * C), datt(N, C), dqkv(N, 3 * C);
    for (int l = static_cast<int>(blocks_.size()) - 1; l >= 0; --l) {
      const BlockSlots& w = blocks_[l];
      const BlockActs<T>& b = a.blocks[l];
      dln.setZero();
      mlp_backward<T>(dln, at(g, w.fc_w), g + w.fc_b.offset, at(g, w.fc2_w), g + w.fc2_b.offset, dpre, dact, dx, b.pre,
                      b.act, b.ln2, at(p, w.fc_w), at(p, w.fc2_w));
      layernorm_backward<T>(dx, g + w.ln2_w.offset, g + w.ln2_b.offset, dln, b.mid, b.ln2_mean.data(),
                            b.ln2_rstd.data(), p + w.ln2_w.offset);
      datt.setZero();
      linear_backward<T>(datt, at(g, w.proj_w), g + w.proj_b.offset, dx, b.att, at(p, w.proj_w));
      dqkv.setZero();
      for (int s = 0; s < B; ++s) {
        const Eigen::Index r0 = static_cast<Eigen::Index>(s) * T_;
        const auto rows = b.qkv.middleRows(r0, T_);
        auto drows = dqkv.middleRows(r0, T_);
        attention_backward<T>(drows.leftCols(C), drows.middleCols(C, C), drows.rightCols(C), datt.middleRows(r0, T_),
                              b.probs.middleRows(static_cast<Eigen::Index>(s) * H * T_, H * T_), rows.leftCols(C),
                              rows.middleCols(C, C), rows.rightCols(C), shape_);
        if (shape_.pos == Position::rope) {  // gradients w.r.t. the unrotated q, k
          rope_rotate<T>(drows.leftCols(C), 0, shape_, -1);
          rope_rotate<T>(drows.middleCols(C, C), 0, shape_, -1);
        }
      }
      dln.setZero();
      linear_backward<T>(dln, at(g, w.qkv_w), g + w.qkv_b.offset, dqkv, b.ln1, at(p, w.qkv_w));
      layernorm_backward<T>(dx, g + w.ln1_w.offset, g + w.ln1_b.offset, dln, b.x, b.ln1_mean.data(), b.ln1_rstd.data(),
                            p + w.ln1_w.offset);
    }
    embedding_backward<T>(at(g, wte_), dx, tokens);
  }

  // The KV cache: keys and values of every layer for every token read.
  long long state_numbers(long long length) const override {
    return 2LL * this->config_.layers * this->config_.width * length;
  }

 private:
  AttentionShape shape_;
  Slot wte_, lnf_w_, lnf_b_, head_;
  std::vector<BlockSlots> blocks_;
};

}  // namespace

template <class T>
std::unique_ptr<Network<T>> make_transformer(const ModelConfig& config) {
  return std::make_unique<TransformerNetwork<T>>(config);
}
template std::unique_ptr<Network<float>> make_transformer<float>(const ModelConfig&);
template std::unique_ptr<Network<double>> make_transformer<double>(const ModelConfig&);

}  // namespace copyproof::trained
