#pragma once
// Sizes of the copy transformer for (D, n), computed without building it: what the
// bound calculator (ssm_bounds/) and the CLI's up-front checks need. A test holds these
// formulas to the counts of an actually built model.

#include <cstdint>

namespace copyproof::construction {

// Largest residual width we build (a stated cap: keeps weights and activations of
// the CPU forward small; D = 65536 allows n <= 119).
inline constexpr int kMaxDModel = 4096;

struct CopyTransformerShape {
  int alphabet = 0;
  int ngram = 0;
  int code_bits = 0;         // b
  int vocab = 0;             // D + 3
  int d_model = 0;           // (2n + 1) b + 3
  int layer1_heads = 0;      // 2n - 1 banded heads
  int layer2_heads = 0;      // 1 full causal head
  int layer2_key_width = 0;  // n b + 1
  // Every stored number: embedding, unembedding, each head's four projections and its
  // position slope (dense, zeros included).
  std::int64_t params = 0;
  // Nonzero entries among them: what the construction actually uses.
  std::int64_t nonzero_params = 0;
  // Numbers an autoregressive decoder caches per token: each head's key and value.
  std::int64_t kv_numbers_per_token = 0;
};

// Largest n whose model fits the cap for alphabet D: (2n + 1) b + 3 <= kMaxDModel.
int max_ngram(int alphabet);

// Throws std::invalid_argument when D is outside [2, 65536], n < 1, or d_model > kMaxDModel.
CopyTransformerShape copy_transformer_shape(int alphabet, int ngram);

}  // namespace copyproof::construction
