#pragma once
// The small layers, each forward next to its backward (llm.c order of arguments:
// outputs, saved activations, inputs, weights, sizes). Gradients follow THE GRADIENT RULE
// of tensor.hpp: every backward adds (+=). N = rows (B*T positions), C = features.

#include <copyproof/trained/tensor.hpp>

#include <cmath>

namespace copyproof::trained {

// ---- embedding: out[i] = table[tokens[i]]
template <class T>
void embedding_forward(MatRef<T> out,          // (N, C)
                       const int* tokens,      // (N)
                       ConstMatRef<T> table);  // (V, C)
template <class T>
void embedding_backward(MatRef<T> dtable,     // (V, C) +=
                        ConstMatRef<T> dout,  // (N, C)
                        const int* tokens);   // (N)

// ---- linear: out = in * w + bias (w stored (in, out) so the forward is one GEMM)
template <class T>
void linear_forward(MatRef<T> out,      // (N, O)
                    ConstMatRef<T> in,  // (N, I)
                    ConstMatRef<T> w,   // (I, O)
                    const T* bias);     // (O) or nullptr
template <class T>
void linear_backward(MatRef<T> din,        // (N, I) +=
                     MatRef<T> dw,         // (I, O) +=
                     T* dbias,             // (O) += or nullptr
                     ConstMatRef<T> dout,  // (N, O)
                     ConstMatRef<T> in,    // (N, I)
                     ConstMatRef<T> w);    // (I, O)

// ---- logistic sigmoid 1 / (1 + e^-x), the gate of the LSTM and of Mamba's SiLU
template <class T>
T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

// ---- GELU (tanh approximation, as in GPT-2)
template <class T>
void gelu_forward(MatRef<T> out,       // (N, D)
                  ConstMatRef<T> in);  // (N, D)
template <class T>
void gelu_backward(MatRef<T> din,        // (N, D) +=
                   ConstMatRef<T> dout,  // (N, D)
                   ConstMatRef<T> in);   // (N, D)

// ---- GELU MLP: out = gelu(in * w1 + b1) * w2 + b2; pre and act are saved for backward
template <class T>
void mlp_forward(MatRef<T> out,                    // (N, C)
                 MatRef<T> pre,                    // (N, H) saved: in * w1 + b1
                 MatRef<T> act,                    // (N, H) saved: gelu(pre)
                 ConstMatRef<T> in,                // (N, C)
                 ConstMatRef<T> w1, const T* b1,   // (C, H), (H)
                 ConstMatRef<T> w2, const T* b2);  // (H, C), (C)
template <class T>
void mlp_backward(MatRef<T> din,                   // (N, C) +=
                  MatRef<T> dw1, T* db1,           // (C, H), (H) +=
                  MatRef<T> dw2, T* db2,           // (H, C), (C) +=
                  MatRef<T> dpre, MatRef<T> dact,  // (N, H) scratch, overwritten
                  ConstMatRef<T> dout,             // (N, C)
                  ConstMatRef<T> pre, ConstMatRef<T> act, ConstMatRef<T> in, ConstMatRef<T> w1, ConstMatRef<T> w2);

// ---- LayerNorm: out = (in - mean) * rstd * w + b
template <class T>
void layernorm_forward(MatRef<T> out,            // (N, C)
                       T* mean, T* rstd,         // (N), (N) saved
                       ConstMatRef<T> in,        // (N, C)
                       const T* w, const T* b);  // (C), (C)
template <class T>
void layernorm_backward(MatRef<T> din,        // (N, C) +=
                        T* dw, T* db,         // (C), (C) +=
                        ConstMatRef<T> dout,  // (N, C)
                        ConstMatRef<T> in,    // (N, C)
                        const T* mean, const T* rstd, const T* w);

// ---- RMSNorm: out = in * rstd * w, rstd = 1 / sqrt(mean(in^2) + eps)
template <class T>
void rmsnorm_forward(MatRef<T> out,      // (N, C)
                     T* rstd,            // (N) saved
                     ConstMatRef<T> in,  // (N, C)
                     const T* w);        // (C)
template <class T>
void rmsnorm_backward(MatRef<T> din,        // (N, C) +=
                      T* dw,                // (C) +=
                      ConstMatRef<T> dout,  // (N, C)
                      ConstMatRef<T> in,    // (N, C)
                      const T* rstd, const T* w);

// ---- softmax cross-entropy over the rows with weight > 0 (the answer tokens).
// Forward: probs = softmax(logits); returns sum_i weight_i * -log probs[i, target_i].
template <class T>
double crossentropy_forward(MatRef<T> probs,        // (N, V) saved
                            ConstMatRef<T> logits,  // (N, V)
                            const int* targets,     // (N)
                            const T* weights);      // (N), 0 = not scored
// Backward of scale * (the forward's sum): dlogits += scale * w_i * (probs - onehot).
template <class T>
void crossentropy_backward(MatRef<T> dlogits,     // (N, V) +=
                           ConstMatRef<T> probs,  // (N, V)
                           const int* targets,    // (N)
                           const T* weights,      // (N)
                           T scale);

}  // namespace copyproof::trained
