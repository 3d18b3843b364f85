#pragma once
// Named slices of the copy transformer's residual stream. Every weight the builder
// writes goes through these names; no other code does index arithmetic on the stream.
//
//   tok            b   c(s_i)                              (embedding)
//   q1 .. q{n-1}   b   c(s_{i-m}), CUT if cut              (layer-1 query heads)
//   k1 .. kn       b   c(s_{i-m}), CUT if cut              (layer-1 key heads)
//   out            b   the copied token's code             (layer 2)
//   sep, bos, one  1   separator flag, BOS flag, constant  (embedding)
//
// d_model = (2n + 1) b + 3.

#include <string>
#include <string_view>
#include <vector>

namespace copyproof::construction {

struct Slice {
  std::string name;
  int offset = 0;
  int width = 0;
  int end() const { return offset + width; }
};

class ResidualLayout {
 public:
  ResidualLayout(int code_bits, int ngram);

  int code_bits() const { return code_bits_; }
  int ngram() const { return ngram_; }
  int d_model() const { return d_model_; }

  const Slice& tok() const { return slices_[0]; }
  const Slice& query(int m) const;  // q_m, 1 <= m <= n - 1
  const Slice& key(int m) const;    // k_m, 1 <= m <= n
  const Slice& out() const;
  const Slice& sep() const;
  const Slice& bos() const;
  const Slice& one() const;

  // Every slice in stream order; they tile [0, d_model) without gaps or overlaps.
  const std::vector<Slice>& slices() const { return slices_; }
  // The slice called `name` ("tok", "q3", "k5", "out", ...); throws if there is none.
  const Slice& named(std::string_view name) const;

 private:
  int code_bits_;
  int ngram_;
  int d_model_ = 0;
  std::vector<Slice> slices_;
};

// d_model of the layout for (b, n), without building it.
inline int residual_width(int code_bits, int ngram) { return (2 * ngram + 1) * code_bits + 3; }

}  // namespace copyproof::construction
