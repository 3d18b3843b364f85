#pragma once
// Causal multi-head self-attention core and rotary embeddings, forward next to backward.
// The projections (qkv, output) are plain linear layers (layers.hpp); this file is what
// happens between them. One sequence per call: queries are the LAST Tq of Tk positions,
// so training (Tq == Tk) and cached decoding (Tq == 1, Tk = tokens so far) share it.

#include <copyproof/trained/tensor.hpp>

#include <string>
#include <vector>

namespace copyproof::trained {

// Positional information (theory.md, "Experiments"): NoPE (none), RoPE (rotary q/k),
// ALiBi (score bias -slope_h * distance), Hard-ALiBi (head h with window m_h > 0 sees only
// the last m_h positions, itself included; heads with m_h == 0 are NoPE).
enum class Position { nope, rope, alibi, hard_alibi };
std::string to_string(Position p);
bool parse_position(const std::string& text, Position& out);

struct AttentionShape {
  int heads = 1;
  int head_dim = 1;
  Position pos = Position::nope;
  std::vector<int> windows;  // (heads) Hard-ALiBi windows, 0 = unrestricted

  // ALiBi slope of head h: 2^(-8 (h + 1) / heads) (Press et al., 2022, geometric in h).
  double alibi_slope(int h) const;
  int width() const { return heads * head_dim; }
};

// Rotates each head's dimension pairs (i, i + d/2) of row r by angle (pos0 + r) * 10000^(-2i/d)
// (GPT-NeoX layout), in place. sign = -1 applies the inverse rotation: the backward of a
// rotation is its transpose, so the backward of rope is rope_rotate(dx, ..., -1) in place.
template <class T>
void rope_rotate(MatRef<T> x,  // (N, heads * head_dim) q or k rows, in place
                 int pos0, const AttentionShape& shape, int sign);

template <class T>
void attention_forward(MatRef<T> out,     // (Tq, C)
                       MatRef<T> probs,   // (heads * Tq, Tk) saved softmax weights
                       ConstMatRef<T> q,  // (Tq, C) queries at positions Tk-Tq .. Tk-1
                       ConstMatRef<T> k,  // (Tk, C)
                       ConstMatRef<T> v,  // (Tk, C)
                       const AttentionShape& shape);
template <class T>
void attention_backward(MatRef<T> dq,          // (Tq, C) +=
                        MatRef<T> dk,          // (Tk, C) +=
                        MatRef<T> dv,          // (Tk, C) +=
                        ConstMatRef<T> dout,   // (Tq, C)
                        ConstMatRef<T> probs,  // (heads * Tq, Tk)
                        ConstMatRef<T> q, ConstMatRef<T> k, ConstMatRef<T> v, const AttentionShape& shape);

}  // namespace copyproof::trained
