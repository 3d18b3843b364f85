#pragma once
// The depth-2 copy transformer of Theorem 2.3 (docs/construction.md): weights computed
// from (D, n, L_max), run by the generic forward of forward.hpp.
//
//   layer 1: 2n - 1 banded heads gather the n-gram around each position into the
//            q_m / k_m slices (ngram_gather_layer);
//   layer 2: one causal head matches the n-gram ending at the query against the n-gram
//            ending just before each key and copies the key's token (induction_layer).

#include <cstdint>
#include <span>
#include <vector>

#include "copyproof/construction/copy_parameters.hpp"
#include "copyproof/construction/residual_layout.hpp"
#include "copyproof/construction/transformer.hpp"
#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

struct CopyTransformer {
  Vocabulary vocab;
  CopyParameters parameters;
  ResidualLayout layout;
  Transformer model;
};

struct CopyTransformerOptions {
  // Diagnostics only: multiplies layer 2's lambda by this factor in (0, 1], building a
  // model below what the proof needs, so that the checks can be seen to fail on it
  // (`--diagnostic-lambda-scale`). 1 builds the construction.
  double diagnostic_lambda_scale = 1.0;
};

// Throws std::invalid_argument for D outside [2, 65536], n < 1, L_max < 1, d_model over the
// cap, or a diagnostic_lambda_scale outside (0, 1].
CopyTransformer build_copy_transformer(int alphabet, int ngram, std::int64_t max_length,
                                       const CopyTransformerOptions& options = {});

// The builder's stages, in order (each reads and writes only the slices it names).
Eigen::MatrixXd embed_tokens(const Vocabulary& vocab, const ResidualLayout& layout);
TransformerLayer ngram_gather_layer(const CopyParameters& p, const ResidualLayout& layout);
TransformerLayer induction_layer(const CopyParameters& p, const ResidualLayout& layout);
Eigen::MatrixXd read_copied_code(const Vocabulary& vocab, const ResidualLayout& layout);

// BOS x_1 .. x_L COPY x_1 .. x_L: the teacher-forced copy sequence (positions 0 .. 2L + 1).
std::vector<Token> teacher_forced_sequence(const Vocabulary& vocab, std::span<const Token> x);
// L + 1 .. 2L + 1: where x_1 .. x_L and EOS are predicted.
std::vector<std::int64_t> copy_output_positions(std::int64_t length);

}  // namespace copyproof::construction
