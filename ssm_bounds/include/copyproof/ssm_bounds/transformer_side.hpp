#pragma once
// Corollary 2.5, made concrete: for (D, L, eps) the smallest n-gram size n for which the
// construction's error bound p_ngram <= C(L-n+1, 2) D^-n (Lemma 2.4, sharp form) is at
// most eps, the same with the paper's cruder L^2 D^-n, and what that n costs: d_model,
// parameters, lambda and the transformer's KV cache. Sizes come from construction/ (one
// source of truth); nothing here recomputes them.

#include <optional>
#include <string>

#include "copyproof/construction/copy_parameters.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/ssm_bounds/exact_numbers.hpp"

namespace copyproof::ssm_bounds {

// Smallest n >= 1 with C(L-n+1, 2) * D^-n <= eps (exact integer arithmetic).
int min_ngram_pairs_form(int alphabet, const cpp_int& length, const cpp_rational& epsilon);
// Smallest n >= 1 with L^2 * D^-n <= eps, i.e. n = ceil(log_D(L^2 / eps)) (the paper's choice).
int min_ngram_paper_form(int alphabet, const cpp_int& length, const cpp_rational& epsilon);

struct TransformerSide {
  int ngram = 0;        // from the sharp form: the n the construction needs
  int ngram_paper = 0;  // from L^2 D^-n
  // The construction's shape and numbers for `ngram`; absent past its d_model cap.
  std::optional<construction::CopyTransformerShape> shape;
  std::optional<construction::CopyParameters> parameters;
  std::string unavailable_reason;  // why shape is absent
  // log2 e^(2 lambda): the binary orders of magnitude between the matched key's softmax
  // weight and any other key's, i.e. the O(log L) bits of precision of Corollary 2.5.
  int lambda_bits = 0;
  // KV numbers cached once the input is read (BOS x_1..x_L COPY: L + 2 tokens).
  cpp_int kv_numbers_at_copy;
};

TransformerSide transformer_side(int alphabet, const cpp_int& length, const cpp_rational& epsilon);

}  // namespace copyproof::ssm_bounds
