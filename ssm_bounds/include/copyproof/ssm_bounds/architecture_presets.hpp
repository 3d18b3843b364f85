#pragma once
// Published checkpoints (and generic builders) as state sizes for Theorem 2.7. Every
// preset is a config (the numbers from the model's own config file) fed through the
// formulas of recurrent_state_formulas.hpp; docs/ssm_bounds.md cites repo and file.
//
// A preset is a list of state components (one per kind of layer): a recurrent layer's
// state is `fixed`, an attention layer's KV cache grows by its numbers per cached token.
// A model with any growing component (a transformer, or a hybrid such as Jamba or Zamba2)
// is not a fixed-state model and Theorem 2.7 does not apply to it; a windowed attention
// cache (RecurrentGemma) is fixed, window included.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "copyproof/ssm_bounds/exact_numbers.hpp"
#include "copyproof/ssm_bounds/recurrent_state_formulas.hpp"

namespace copyproof::ssm_bounds {

// Default alphabet for presets without their own tokenizer entry: the GPT-NeoX-20B
// tokenizer's vocabulary (50277 tokens; vocab_size of the Mamba and RWKV-4/7 Pile
// configs). Pythia's 50304 embedding rows and Mamba's 50280 are that number padded;
// padding rows are never produced by the tokenizer.
inline constexpr int kGptNeoxVocabulary = 50277;
// Bits per number when a builder (not a checkpoint) is asked about: fp16/bf16.
inline constexpr int kDefaultBitsPerNumber = 16;

enum class StateGrowth {
  fixed,      // a recurrent state (or a windowed cache): the same size at every length
  per_token,  // an attention KV cache: the numbers are per cached token
};

// One kind of layer's contribution to the state.
struct StateComponent {
  std::string what;         // "ssm + conv", "windowed KV (local attention)", "KV cache"
  std::int64_t layers = 0;  // layers that carry it
  LayerState per_layer;     // numbers per layer (per cached token when growth is per_token)
  StateGrowth growth = StateGrowth::fixed;
  int native_bits = kDefaultBitsPerNumber;  // bits of the reference implementation's number format
};

struct ArchitecturePreset {
  std::string name;                     // "mamba-130m"
  std::string family;                   // "Mamba-1"
  std::string config;                   // "d_model=768 n_layer=24 d_state=16 d_conv=4 expand=2"
  std::string source;                   // where the config and the cache layout come from
  std::string cache_dtype;              // the state's number format in the reference implementation
  int vocabulary = kGptNeoxVocabulary;  // the tokenizer's size: the default alphabet D
  std::int64_t layers = 0;              // all layers (blocks) of the model
  std::vector<StateComponent> components;

  // Theorem 2.7 applies only when nothing grows with the length.
  bool fixed_state() const;
  // Numbers carried at every length (recurrent states, windowed caches).
  cpp_int fixed_numbers(bool effective) const;
  // Numbers added per cached token (KV caches); 0 for a fixed-state model.
  cpp_int growth_per_token(bool effective) const;
  // Numbers that determine everything the model emits after COPY at copy length L:
  // fixed + growth * (L + 2), the cache of BOS x_1..x_L COPY.
  cpp_int state_numbers(const cpp_int& length, bool effective) const;
  // Effective bits of the fixed part, every number at `bits_per_number` bits or at its
  // component's native bits when absent.
  cpp_int fixed_bits(std::optional<int> bits_per_number) const;
  // Effective state bits at length L, every number at `bits_per_number` bits, or at its
  // component's native bits when `bits_per_number` is absent.
  cpp_int state_bits(const cpp_int& length, std::optional<int> bits_per_number) const;
  // The native bits per number when every component shares them; nullopt when mixed.
  std::optional<int> uniform_native_bits() const;
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
