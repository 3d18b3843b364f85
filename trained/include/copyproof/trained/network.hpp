#pragma once
// A trainable sequence model: its configuration, its parameter layout, and one forward
// and one backward over a batch of token sequences. The same forward serves training
// (fresh sequences, activations saved) and decoding (one sequence continued from a
// DecodeState: the transformer's KV cache, Mamba's and the LSTM's recurrent state).

#include <copyproof/trained/attention.hpp>
#include <copyproof/trained/tensor.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace copyproof::trained {

enum class ModelKind { transformer, mamba, lstm };
std::string to_string(ModelKind kind);
bool parse_model_kind(const std::string& text, ModelKind& out);

// Model sizes a config may have, once for `copyproof train`'s flags and the checkpoint
// reader (a file cannot hold a model the CLI could not have trained): stated caps that keep
// a model's buffers and the CPU trainer's steps bounded, not limits of the architectures.
inline constexpr int kMaxLayers = 64;
inline constexpr int kMaxWidth = 4096;
inline constexpr int kMaxHeads = 4096;
inline constexpr int kMaxStateDim = 4096;

struct ModelConfig {
  ModelKind kind = ModelKind::transformer;
  int vocab = 1;
  int layers = 1;
  int width = 1;                  // transformer/Mamba residual width; LSTM hidden size
  int heads = 1;                  // transformer only
  int state_dim = 1;              // Mamba only: N
  Position pos = Position::nope;  // transformer only
  std::vector<int> windows;       // transformer with Hard-ALiBi: window of head h (0 = NoPE head)
};

// The defaults of `copyproof train`: a ~100k-parameter transformer (2 layers, width 64,
// 4 heads, Hard-ALiBi) and a Mamba and an LSTM with about as many parameters.
ModelConfig default_config(ModelKind kind, int vocab);
// Hard-ALiBi windows 2, 3, ... on the first half of the heads; the other heads are NoPE.
std::vector<int> default_windows(int heads);

// Why a config cannot be built ("" when it can): width not divisible by heads, ...
std::string config_problem(const ModelConfig& config);

struct ActivationsBase {
  virtual ~ActivationsBase() = default;
};
struct DecodeStateBase {
  virtual ~DecodeStateBase() = default;
  int length = 0;  // tokens consumed so far
};

template <class T>
class Network {
 public:
  virtual ~Network() = default;
  const ModelConfig& config() const { return config_; }
  const ParameterLayout& layout() const { return layout_; }
  std::size_t parameter_count() const { return layout_.size(); }

  // Fills the parameters from the seeded generator (each architecture's usual init).
  virtual void init(T* params, std::uint64_t seed) const = 0;
  virtual std::unique_ptr<ActivationsBase> new_activations() const = 0;
  virtual std::unique_ptr<DecodeStateBase> new_state(int max_length) const = 0;

  // Logits for B sequences of T_ tokens, (B*T_, vocab). state == nullptr: fresh sequences;
  // otherwise B == 1 and the tokens continue the sequence held by the state (updated).
  virtual const Matrix<T>& forward(ActivationsBase& acts, const T* params,
                                   const int* tokens,  // (B*T_)
                                   int B, int T_, DecodeStateBase* state) const = 0;
  // After a forward with state == nullptr: parameter gradients += (THE GRADIENT RULE).
  virtual void backward(T* grads, ActivationsBase& acts, const T* params,
                        const int* tokens,         // (B*T_)
                        const Matrix<T>& dlogits)  // (B*T_, vocab)
      const = 0;

  // Numbers the model holds about the past when it has read `length` tokens: fixed for
  // Mamba and the LSTM (the recurrent state), growing for the transformer (its KV cache).
  virtual long long state_numbers(long long length) const = 0;

 protected:
  explicit Network(const ModelConfig& config) : config_(config) {}
  ModelConfig config_;
  ParameterLayout layout_;
};

template <class T>
std::unique_ptr<Network<T>> make_network(const ModelConfig& config);

// One batch of next-token prediction: predict targets[i] after reading inputs[0..i] of
// its sequence; only positions with scored[i] count.
struct TokenBatch {
  int B = 0, T = 0;
  std::vector<int> inputs;            // (B*T)
  std::vector<int> targets;           // (B*T)
  std::vector<unsigned char> scored;  // (B*T) 1 = an answer token
  long long scored_count() const;
  // Tokens that are not padding: in each row the positions up to its last scored one
  // (the model reads BOS .. the token before EOS); EOS padding after that is not counted.
  long long real_token_count() const;
};

// Forward, loss, and (when grads != nullptr) backward of one batch: returns the summed
// loss over scored positions; gradients += scale * d(sum)/d(params).
template <class T>
double loss_and_gradient(const Network<T>& net, ActivationsBase& acts, const T* params, T* grads,
                         const TokenBatch& batch, T scale);

}  // namespace copyproof::trained
