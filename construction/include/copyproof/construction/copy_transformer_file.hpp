#pragma once
// The copy transformer as a weights file, its derivation attached by the library: the
// model's tensors and heads (transformer_file.hpp), and in the metadata what a reader needs
// to use it without rebuilding it: D, n, L_max ("alphabet", "ngram", "max_length", decimal
// strings), the token names in id order ("vocabulary", space-separated), the residual
// slices ("slices", JSON [{name, offset, width}]) and the theory's numbers ("parameters",
// JSON {lambda, alpha, beta, bos_penalty, layer1_error_bound, lambda_scale, code_bits}).
// Keys and format: docs/cli.md (construct --weights); python/ reads the same keys.

#include <cstdint>
#include <string>
#include <vector>

#include "copyproof/common/safetensors.hpp"
#include "copyproof/construction/copy_transformer.hpp"

namespace copyproof::construction {

struct CopyDerivation {
  int alphabet = 0;                     // D
  int ngram = 0;                        // n
  std::int64_t max_length = 0;          // L_max
  std::vector<std::string> vocabulary;  // token_name of each id
  std::vector<Slice> slices;            // the residual layout, in stream order
  int code_bits = 0;                    // b
  double lambda = 0;
  double alpha = 0;
  double beta = 0;
  double bos_penalty = 0;  // B
  double layer1_error_bound = 0;
  double lambda_scale = 1;  // 1 unless a diagnostic model was asked for
};

// What `ct` was derived from and with.
CopyDerivation copy_derivation(const CopyTransformer& ct);

// The model's tensors and heads with the derivation in the metadata.
SafetensorsFile copy_transformer_to_safetensors(const CopyTransformer& ct);
// The same, written atomically to `path`; throws SafetensorsError when writing fails.
void write_copy_transformer(const std::string& path, const CopyTransformer& ct);

// Whether the file claims a derivation (has the "alphabet" key); a plain transformer file
// (transformer_file.hpp) has none.
bool has_copy_derivation(const SafetensorsFile& file);
// The derivation a weights file carries. Throws SafetensorsError naming the key when one is
// missing or corrupt (an integer out of range is refused, not narrowed).
CopyDerivation read_copy_derivation(const SafetensorsFile& file);

}  // namespace copyproof::construction
