#pragma once
// What layer 1 of the copy transformer must write, computed directly from the sequence
// (no attention): the exact residual stream after layer 1. The verifier and the tests
// measure the float forward against it.

#include <Eigen/Core>

#include <span>

#include "copyproof/construction/residual_layout.hpp"
#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

// (positions, d_model), row i. Windows are clipped at position 0 (nothing exists before it):
//   tok = c(s_i);
//   q_m = c(SEP) if a separator lies in [max(0, i-m), i], else c(s_{max(0, i-m)});
//   k_m = c(SEP) if a separator lies in [max(0, i-m), i-1], else c(s_{max(0, i-m)});
//         k_m = 0 at i = 0, whose key window is empty;
//   out = 0; sep, bos, one = the token's flags.
// In a copy sequence s_0 = BOS, so a window reaching back to 0 always reads c(SEP).
Eigen::MatrixXd exact_layer1_stream(const Vocabulary& vocab, const ResidualLayout& layout,
                                    std::span<const Token> sequence);

}  // namespace copyproof::construction
