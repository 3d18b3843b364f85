#pragma once
// The Mamba-1 block (Gu & Dao, 2023), forward next to backward:
//   [x, z] = in * W_in                      x, z: (T, Di)
//   u      = SiLU(causal depthwise conv1d_K(x) + conv_b)
//   [dt_low, B, C] = u * W_x                (T, R), (T, N), (T, N)
//   dt     = softplus(dt_low * W_dt + dt_b) (T, Di)   input-dependent step
//   h_t    = exp(dt_t A) h_{t-1} + dt_t B_t u_t,  A = -exp(A_log) diagonal (Di, N)
//   y_t    = h_t C_t + D u_t
//   out    = (y * SiLU(z)) * W_out
// The recurrent state is h (Di x N numbers) plus the conv's last K-1 inputs (Di each).

#include <copyproof/trained/tensor.hpp>

#include <string>

namespace copyproof::trained {

struct MambaShape {
  int width = 1;    // C, the residual stream
  int inner = 2;    // Di = expand * C (expand 2 in Mamba)
  int state = 16;   // N
  int dt_rank = 1;  // R = ceil(C / 16) in Mamba
  int conv = 4;     // K
  long long state_numbers() const { return static_cast<long long>(inner) * (state + conv - 1); }
};

struct MambaSlots {
  Slot in_proj;   // (C, 2 Di)
  Slot conv_w;    // (K, Di) tap k multiplies the input K-1-k steps back
  Slot conv_b;    // (Di)
  Slot x_proj;    // (Di, R + 2N)
  Slot dt_proj;   // (R, Di)
  Slot dt_bias;   // (Di)
  Slot A_log;     // (Di, N)
  Slot D;         // (Di)
  Slot out_proj;  // (Di, C)
};
MambaSlots add_mamba_slots(ParameterLayout& layout, const std::string& prefix, const MambaShape& shape);

template <class T>
struct MambaActivations {  // saved by the forward for the backward; B sequences of T steps
  Matrix<T> xz;            // (B*T, 2 Di)
  Matrix<T> xc;            // (B*T, Di) conv output before SiLU
  Matrix<T> u;             // (B*T, Di)
  Matrix<T> dbc;           // (B*T, R + 2N)
  Matrix<T> dtp;           // (B*T, Di) before softplus
  Matrix<T> dt;            // (B*T, Di)
  Matrix<T> hs;            // (B*(T+1), N*Di) state before step 0 and after each step, entry n*Di + d
  Matrix<T> y;             // (B*T, Di) scan output
  Matrix<T> g;             // (B*T, Di) gated output
  Matrix<T> xtail;         // (B*(K-1), Di) conv inputs before step 0
};

template <class T>
struct MambaState {  // one sequence's recurrent state, for decoding
  Matrix<T> conv;    // (K-1, Di) last conv inputs, oldest first
  Matrix<T> h;       // (1, N*Di) entry n*Di + d
};

template <class T>
void mamba_block_forward(MatRef<T> out,              // (B*T, C)
                         MambaActivations<T>& acts,  // saved
                         ConstMatRef<T> in,          // (B*T, C)
                         const T* params, const MambaSlots& slots, const MambaShape& shape, int B, int T_,
                         MambaState<T>* state);  // nullptr: zero state; else B == 1, read and updated
template <class T>
void mamba_block_backward(MatRef<T> din,        // (B*T, C) +=
                          T* grads,             // parameter gradients +=, same layout as params
                          ConstMatRef<T> dout,  // (B*T, C)
                          const MambaActivations<T>& acts,
                          ConstMatRef<T> in,  // (B*T, C)
                          const T* params, const MambaSlots& slots, const MambaShape& shape, int B, int T_);

}  // namespace copyproof::trained
