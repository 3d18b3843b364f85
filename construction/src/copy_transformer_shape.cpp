#include "copyproof/construction/copy_transformer_shape.hpp"

#include <stdexcept>
#include <string>

#include "copyproof/construction/codes.hpp"
#include "copyproof/construction/residual_layout.hpp"
#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

int max_ngram(int alphabet) { return ((kMaxDModel - 3) / code_bits(alphabet) - 1) / 2; }

CopyTransformerShape copy_transformer_shape(int alphabet, int ngram) {
  if (alphabet < 2 || alphabet > kMaxAlphabet) throw std::invalid_argument("alphabet must be in [2, 65536]");
  if (ngram < 1) throw std::invalid_argument("ngram must be >= 1");
  CopyTransformerShape s;
  s.alphabet = alphabet;
  s.ngram = ngram;
  s.code_bits = code_bits(alphabet);
  s.vocab = alphabet + 3;
  const std::int64_t width = std::int64_t{2 * std::int64_t{ngram} + 1} * s.code_bits + 3;
  if (width > kMaxDModel)
    throw std::invalid_argument("d_model = " + std::to_string(width) + " exceeds the cap " +
                                std::to_string(kMaxDModel));
  s.d_model = static_cast<int>(width);
  s.layer1_heads = 2 * ngram - 1;
  s.layer2_heads = 1;
  s.layer2_key_width = ngram * s.code_bits + 1;

  const std::int64_t d = s.d_model, b = s.code_bits, V = s.vocab, h1 = s.layer1_heads, k2 = s.layer2_key_width;
  // Layer-1 head: query 1xd, key 1xd, value bxd, output dxb, slope. Layer 2: query and key k2xd,
  // value bxd, output dxb, slope.
  s.params = 2 * d * V + h1 * ((2 + 2 * b) * d + 1) + ((2 * k2 + 2 * b) * d + 1);
  // Embedding: b code entries per token plus sep/bos/one flags; unembedding: b per letter and EOS.
  // Layer-1 head: 1 + 1 + b + b + slope; layer 2: k2 + k2 + b + b (slope 0).
  const std::int64_t separators = 3;  // BOS, COPY, EOS embed as separators
  const std::int64_t embed_nonzero = V * b + separators + 1 /*bos flag*/ + V /*one*/;
  s.nonzero_params = embed_nonzero + (V - 2) * b + h1 * (2 + 2 * b + 1) + (2 * k2 + 2 * b);
  s.kv_numbers_per_token = h1 * (1 + b) + (k2 + b);
  return s;
}

}  // namespace copyproof::construction
