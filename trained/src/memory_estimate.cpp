#include <copyproof/trained/memory_estimate.hpp>
#include <copyproof/trained/tasks.hpp>

namespace copyproof::trained {

std::uint64_t activation_floats_per_position(const ModelConfig& c, std::uint64_t T) {
  const auto W = static_cast<std::uint64_t>(c.width);
  const auto layers = static_cast<std::uint64_t>(c.layers);
  std::uint64_t per_position = 0;
  switch (c.kind) {
    case ModelKind::transformer: per_position = layers * (24 * W + static_cast<std::uint64_t>(c.heads) * T); break;
    case ModelKind::mamba: per_position = layers * (2 * W * (12 + static_cast<std::uint64_t>(c.state_dim))); break;
    case ModelKind::lstm: per_position = layers * 8 * W; break;
  }
  return per_position + 3 * kVocab + 4 * W;
}

std::uint64_t evaluation_bytes(const ModelConfig& config, std::uint64_t prompt, std::uint64_t concurrent) {
  return sizeof(float) * concurrent * prompt * activation_floats_per_position(config, prompt) *
         kEvaluationHeadroomEighths / 8;
}

}  // namespace copyproof::trained
