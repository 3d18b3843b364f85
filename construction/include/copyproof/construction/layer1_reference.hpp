#pragma once
// What layer 1 of the copy transformer must write, computed directly from the sequence
// (no attention): the exact residual stream after layer 1. The verifier (CPU and GPU
// paths alike) and the tests measure the computed stream against it.

#include <Eigen/Core>

#include <cstdint>
#include <span>
#include <vector>

#include "copyproof/construction/residual_layout.hpp"
#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

// Row i, windows clipped at position 0 (nothing exists before it):
//   tok = c(s_i);
//   q_m = c(CUT) if a separator lies in [max(0, i-m), i], else c(s_{max(0, i-m)});
//   k_m = c(CUT) if a separator lies in [max(0, i-m), i-1], else c(s_{max(0, i-m)});
//         k_m = 0 at i = 0, whose key window is empty;
//   out = 0; sep, bos, one = the token's flags.
// In a copy sequence s_0 = BOS, so a window reaching back to 0 always reads c(CUT).
class ExactLayer1 {
 public:
  ExactLayer1(const Vocabulary& vocab, const ResidualLayout& layout, std::span<const Token> sequence);

  std::int64_t positions() const { return static_cast<std::int64_t>(last_separator_.size()); }
  // Writes row i (d_model numbers) into `row`.
  void row(std::int64_t i, double* row) const;
  // Every row: (positions, d_model). For short sequences (tests).
  Eigen::MatrixXd stream() const;
  // max |computed(i, c) - exact(i, c)| over all rows and columns of a row-major
  // (positions, d_model) stream, without materialising the exact one.
  template <class Scalar>
  double max_deviation(const Scalar* computed, int threads) const;
  // The same over rows [first, first + count) only; `computed` points at row `first`
  // (a forward computed in chunks of positions).
  template <class Scalar>
  double max_deviation_rows(const Scalar* computed, std::int64_t first, std::int64_t count, int threads) const;

 private:
  Vocabulary vocab_;
  const ResidualLayout& layout_;
  std::span<const Token> sequence_;
  std::vector<std::int64_t> last_separator_;  // last separator position <= i, or -1
};

inline Eigen::MatrixXd exact_layer1_stream(const Vocabulary& vocab, const ResidualLayout& layout,
                                           std::span<const Token> sequence) {
  return ExactLayer1(vocab, layout, sequence).stream();
}

}  // namespace copyproof::construction
