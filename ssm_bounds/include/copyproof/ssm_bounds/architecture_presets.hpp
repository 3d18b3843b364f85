#pragma once
// Published checkpoints (and generic builders) as state sizes for Theorem 2.7. Every
// preset is a config (the numbers from the model's own config file) fed through one
// formula of recurrent_state_formulas.hpp; docs/ssm_bounds.md cites repo and file.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "copyproof/ssm_bounds/exact_numbers.hpp"
#include "copyproof/ssm_bounds/recurrent_state_formulas.hpp"

namespace copyproof::ssm_bounds {

// Default alphabet for presets: the GPT-NeoX-20B tokenizer's vocabulary (50277 tokens;
// vocab_size of the Mamba and RWKV-4/7 Pile configs). Pythia's 50304 embedding rows and
// Mamba's 50280 are that number padded; padding rows are never produced by the tokenizer.
inline constexpr int kGptNeoxVocabulary = 50277;
// Numbers are counted at 16 bits unless asked otherwise: the checkpoints are deployed in
// fp16/bf16 (for Mamba the cache takes the weights' dtype).
inline constexpr int kDefaultBitsPerNumber = 16;

enum class StateGrowth {
  fixed,      // a recurrent state: the same size at every length
  per_token,  // a transformer's KV cache: the per-layer numbers are per cached token
};

struct ArchitecturePreset {
  std::string name;           // "mamba-130m"
  std::string family;         // "Mamba-1"
  std::string config;         // "d_model=768 n_layer=24 d_state=16 d_conv=4 expand=2"
  std::string source;         // where the config and the cache layout come from
  std::string cache_dtype;    // what the reference implementation stores the numbers in
  std::int64_t layers = 0;
  LayerState per_layer;
  StateGrowth growth = StateGrowth::fixed;

  cpp_int total_stored() const { return cpp_int(layers) * per_layer.stored; }
  cpp_int total_effective() const { return cpp_int(layers) * per_layer.effective; }
  // Numbers that determine everything the model emits after COPY at copy length L: the
  // recurrent state, or the KV cache of BOS x_1..x_L COPY (L + 2 tokens).
  cpp_int state_numbers(const cpp_int& length, bool effective) const;
};

const std::vector<ArchitecturePreset>& published_presets();

// Generic builders: "lstm", "gru", "linear-attention", "s4d".
struct BuilderSizes {
  std::optional<std::int64_t> d_model, layers, d_state, heads;
};
const std::vector<std::string>& builder_names();
// The flags a builder needs, as CLI flag names ("--d-model", ...).
std::vector<std::string> builder_required_flags(std::string_view name);
// Throws std::invalid_argument naming the missing or inconsistent flag.
ArchitecturePreset build_architecture(std::string_view name, const BuilderSizes& sizes);

// A published preset or a builder by name; nullopt for an unknown name.
std::optional<ArchitecturePreset> find_architecture(std::string_view name, const BuilderSizes& sizes);
// Every accepted name, comma-separated, for error messages and --list-presets.
std::string architecture_names();

}  // namespace copyproof::ssm_bounds
