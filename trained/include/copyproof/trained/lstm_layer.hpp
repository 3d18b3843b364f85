#pragma once
// One LSTM layer (Hochreiter & Schmidhuber, 1997; forget-gate form), forward next to backward:
//   [i, f, g, o] = [sig, sig, tanh, sig](x_t W_x + h_{t-1} W_h + b)
//   c_t = f c_{t-1} + i g,   h_t = o tanh(c_t)
// Its recurrent state is (h, c): 2H numbers.

#include <copyproof/trained/tensor.hpp>

#include <string>

namespace copyproof::trained {

struct LstmSlots {
  Slot w_x;   // (I, 4H) gate order i, f, g, o
  Slot w_h;   // (H, 4H)
  Slot bias;  // (4H)
};
LstmSlots add_lstm_slots(ParameterLayout& layout, const std::string& prefix, int input, int hidden);

template <class T>
struct LstmActivations {
  Matrix<T> gates;   // (B*T, 4H) after the nonlinearities
  Matrix<T> c;       // (B*T, H)
  Matrix<T> h0, c0;  // (B, H) state before step 0
};

template <class T>
struct LstmState {  // one sequence, for decoding
  Matrix<T> h, c;   // (1, H) each
};

template <class T>
void lstm_forward(MatRef<T> out,             // (B*T, H) the h_t
                  LstmActivations<T>& acts,  // saved
                  ConstMatRef<T> in,         // (B*T, I)
                  const T* params, const LstmSlots& slots, int hidden, int B, int T_,
                  LstmState<T>* state);  // nullptr: zero state; else B == 1, read and updated
template <class T>
void lstm_backward(MatRef<T> din,        // (B*T, I) +=
                   T* grads,             // parameter gradients +=
                   ConstMatRef<T> dout,  // (B*T, H)
                   const LstmActivations<T>& acts,
                   ConstMatRef<T> out,  // (B*T, H) the forward's h_t
                   ConstMatRef<T> in,   // (B*T, I)
                   const T* params, const LstmSlots& slots, int hidden, int B, int T_);

}  // namespace copyproof::trained
