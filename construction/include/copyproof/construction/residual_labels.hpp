#pragma once
// The residual stream read back by slice name: what a failing check prints next to its
// counterexample ("tok=c q1=b k1=CUT ... out=c sep=0 bos=0 one=1"), so a reader sees which
// slice held the wrong code without counting coordinates.

#include <span>
#include <string>
#include <vector>

#include "copyproof/construction/copy_transformer.hpp"

namespace copyproof::construction {

struct SliceReading {
  std::string slice;  // "tok", "q1", "out", "bos", ...
  bool code = false;  // a b-bit code slice (else a one-coordinate flag)
  // Code slices: the symbol whose +-1 code has the row's signs (0 .. D - 1 a letter, D the
  // separator CUT, > D no symbol's code), or -1 when every coordinate is 0 (nothing written).
  int symbol = -1;
  // Code slices: the smallest |coordinate| (how clearly the signs are set); flags: the value.
  double value = 0;
};

// One row (d_model numbers) of the stream, slice by slice in stream order.
std::vector<SliceReading> read_residual_row(const CopyTransformer& ct, std::span<const double> row);

// The stream after the last layer at the query that predicts x_{output_index + 1} of the
// teacher-forced copy of `input`, from the float64 forward (the reference precision,
// whichever backend found the counterexample). Empty when the copy sequence is longer than
// kMaxLabelledSequence (the forward's layer 2 is quadratic in it).
inline constexpr std::int64_t kMaxLabelledSequence = std::int64_t{1} << 16;
std::vector<SliceReading> counterexample_residual(const CopyTransformer& ct, std::span<const Token> input,
                                                  std::int64_t output_index);

}  // namespace copyproof::construction
