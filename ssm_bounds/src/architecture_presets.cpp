#include "copyproof/ssm_bounds/architecture_presets.hpp"

#include <algorithm>
#include <stdexcept>

namespace copyproof::ssm_bounds {
namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

// Mamba-1 checkpoints: ssm_cfg is {} in their configs, so mamba_simple.py's defaults
// d_state=16, d_conv=4, expand=2 hold.
ArchitecturePreset mamba1(std::string name, std::int64_t d_model, std::int64_t n_layer) {
  const std::int64_t d_state = 16, d_conv = 4, expand = 2;
  return {name, "Mamba-1",
          "d_model=" + num(d_model) + " n_layer=" + num(n_layer) + " d_state=16 d_conv=4 expand=2",
          "state-spaces/mamba mamba_ssm/modules/mamba_simple.py; HF state-spaces/" + name + " config.json",
          "model dtype (fp16/bf16 deployed)", n_layer, mamba1_layer(d_model, d_state, d_conv, expand),
          StateGrowth::fixed};
}

// Mamba-2 checkpoints: ssm_cfg is {"layer": "Mamba2"}, so mamba2.py's defaults
// d_state=128, d_conv=4, expand=2, headdim=64, ngroups=1 hold.
ArchitecturePreset mamba2(std::string name, std::int64_t d_model, std::int64_t n_layer) {
  const std::int64_t d_state = 128, d_conv = 4, expand = 2, headdim = 64, ngroups = 1;
  return {name, "Mamba-2",
          "d_model=" + num(d_model) + " n_layer=" + num(n_layer) + " d_state=128 d_conv=4 expand=2 headdim=64 ngroups=1",
          "state-spaces/mamba mamba_ssm/modules/mamba2.py; HF state-spaces/" + name + " config.json",
          "model dtype (fp16/bf16 deployed)", n_layer, mamba2_layer(d_model, d_state, d_conv, expand, headdim, ngroups),
          StateGrowth::fixed};
}

ArchitecturePreset rwkv4(std::string name, std::string checkpoint, std::int64_t n_embd, std::int64_t n_layer) {
  return {name, "RWKV-4", "n_embd=" + num(n_embd) + " n_layer=" + num(n_layer),
          "BlinkDL/RWKV-LM RWKV-v4neo/src/model_run.py; HF BlinkDL/" + checkpoint + " (L" + num(n_layer) + "-D" +
              num(n_embd) + ")",
          "fp32 (model_run.py keeps the state in float32)", n_layer, rwkv4_layer(n_embd), StateGrowth::fixed};
}

ArchitecturePreset rwkv7(std::string name, std::int64_t n_embd, std::int64_t n_layer) {
  const std::int64_t head_size = 64;
  return {name, "RWKV-7", "n_embd=" + num(n_embd) + " n_layer=" + num(n_layer) + " head_size=64",
          "BlinkDL/RWKV-LM RWKV-v7/rwkv_v7_demo_rnn.py (Pile models; HF BlinkDL/rwkv-7-pile)",
          "fp16 token shifts, fp32 WKV state", n_layer, rwkv7_layer(n_embd, head_size), StateGrowth::fixed};
}

// fla layers: key_dim = hidden_size * expand_k, value_dim = hidden_size * expand_v;
// use_short_conv is false in both configs, so the recurrent state is all they carry.
ArchitecturePreset fla_matrix_state(std::string name, std::string family, std::string layer_file,
                                    std::string checkpoint, std::int64_t hidden, std::int64_t key_dim,
                                    std::int64_t value_dim, std::int64_t heads, std::int64_t n_layer,
                                    std::string expand_text) {
  return {name, family,
          "hidden_size=" + num(hidden) + " num_hidden_layers=" + num(n_layer) + " num_heads=" + num(heads) + " " +
              expand_text + " use_short_conv=false",
          "fla-org/flash-linear-attention " + layer_file + "; HF " + checkpoint + " config.json",
          "bf16 (torch_dtype of the checkpoint)", n_layer, matrix_state(key_dim, value_dim, heads), StateGrowth::fixed};
}

ArchitecturePreset pythia(std::string name, std::string size_dir, std::int64_t hidden, std::int64_t layers) {
  return {name, "Pythia (transformer)", "hidden-size=" + num(hidden) + " num-layers=" + num(layers),
          "EleutherAI/pythia models/" + size_dir + "/" + name + ".yml", "fp16 (the configs' precision)", layers,
          kv_cache_per_token(hidden), StateGrowth::per_token};
}

std::vector<ArchitecturePreset> make_published() {
  return {
      mamba1("mamba-130m", 768, 24),
      mamba1("mamba-370m", 1024, 48),
      mamba1("mamba-790m", 1536, 48),
      mamba1("mamba-1.4b", 2048, 48),
      mamba1("mamba-2.8b", 2560, 64),
      mamba2("mamba2-130m", 768, 24),
      mamba2("mamba2-370m", 1024, 48),
      mamba2("mamba2-780m", 1536, 48),
      mamba2("mamba2-1.3b", 2048, 48),
      mamba2("mamba2-2.7b", 2560, 64),
      rwkv4("rwkv4-169m", "rwkv-4-pile-169m", 768, 12),
      rwkv4("rwkv4-430m", "rwkv-4-pile-430m", 1024, 24),
      rwkv4("rwkv4-1.5b", "rwkv-4-pile-1b5", 2048, 24),
      rwkv4("rwkv4-3b", "rwkv-4-pile-3b", 2560, 32),
      rwkv4("rwkv4-7b", "rwkv-4-pile-7b", 4096, 32),
      rwkv4("rwkv4-14b", "rwkv-4-pile-14b", 5120, 40),
      rwkv7("rwkv7-168m", 768, 12),
      rwkv7("rwkv7-421m", 1024, 24),
      // gla-1.3B-100B: expand_k 0.5, expand_v 1 -> key_dim 1024, value_dim 2048.
      fla_matrix_state("gla-1.3b", "GLA", "fla/layers/gla.py", "fla-hub/gla-1.3B-100B", 2048, 2048 / 2, 2048, 4, 24,
                       "expand_k=0.5 expand_v=1"),
      // retnet-1.3B-100B: expand_k 1, expand_v 2 -> key_dim 2048, value_dim 4096.
      fla_matrix_state("retnet-1.3b", "RetNet", "fla/layers/multiscale_retention.py", "fla-hub/retnet-1.3B-100B", 2048,
                       2048, 2 * 2048, 8, 24, "expand_k=1 expand_v=2"),
      pythia("pythia-410m", "410M", 1024, 24),
      pythia("pythia-1.4b", "1.4B", 2048, 24),
      pythia("pythia-2.8b", "2.8B", 2560, 32),
  };
}

std::int64_t required(const std::optional<std::int64_t>& value, const std::string& builder, const char* flag) {
  if (!value) throw std::invalid_argument(std::string(flag) + ": required by --preset " + builder);
  return *value;
}

}  // namespace

cpp_int ArchitecturePreset::state_numbers(const cpp_int& length, bool effective) const {
  const cpp_int total = effective ? total_effective() : total_stored();
  return growth == StateGrowth::fixed ? total : total * (length + 2);
}

const std::vector<ArchitecturePreset>& published_presets() {
  static const std::vector<ArchitecturePreset> presets = make_published();
  return presets;
}

const std::vector<std::string>& builder_names() {
  static const std::vector<std::string> names = {"lstm", "gru", "linear-attention", "s4d"};
  return names;
}

std::vector<std::string> builder_required_flags(std::string_view name) {
  if (name == "linear-attention") return {"--d-model", "--heads", "--layers"};
  if (name == "s4d") return {"--d-model", "--d-state", "--layers"};
  return {"--d-model", "--layers"};
}

ArchitecturePreset build_architecture(std::string_view name, const BuilderSizes& sizes) {
  const std::string builder(name);
  const std::int64_t d_model = required(sizes.d_model, builder, "--d-model");
  const std::int64_t layers = required(sizes.layers, builder, "--layers");
  ArchitecturePreset preset;
  preset.name = builder;
  preset.layers = layers;
  preset.cache_dtype = "as built";
  preset.config = "d_model=" + num(d_model) + " layers=" + num(layers);
  if (name == "lstm") {
    preset.family = "LSTM";
    preset.source = "h and c per layer (PyTorch nn.LSTM)";
    preset.per_layer = lstm_layer(d_model);
  } else if (name == "gru") {
    preset.family = "GRU";
    preset.source = "h per layer (PyTorch nn.GRU)";
    preset.per_layer = gru_layer(d_model);
  } else if (name == "linear-attention") {
    const std::int64_t heads = required(sizes.heads, builder, "--heads");
    if (d_model % heads != 0) throw std::invalid_argument("--heads: must divide --d-model");
    preset.family = "Linear attention";
    preset.source = "S and z per head (Katharopoulos et al. 2020)";
    preset.config += " heads=" + num(heads);
    preset.per_layer = linear_attention_layer(d_model, heads);
  } else if (name == "s4d") {
    const std::int64_t d_state = required(sizes.d_state, builder, "--d-state");
    if (d_state % 2 != 0) throw std::invalid_argument("--d-state: must be even (d_state / 2 complex modes)");
    preset.family = "S4D";
    preset.source = "state-spaces/s4 models/s4/s4d.py (d_state/2 complex modes per channel)";
    preset.config += " d_state=" + num(d_state);
    preset.per_layer = s4d_layer(d_model, d_state);
  } else {
    throw std::invalid_argument("--preset: '" + builder + "' is not a builder");
  }
  return preset;
}

std::optional<ArchitecturePreset> find_architecture(std::string_view name, const BuilderSizes& sizes) {
  for (const auto& p : published_presets())
    if (p.name == name) return p;
  const auto& builders = builder_names();
  if (std::find(builders.begin(), builders.end(), name) != builders.end()) return build_architecture(name, sizes);
  return std::nullopt;
}

std::string architecture_names() {
  std::string names;
  for (const auto& p : published_presets()) names += (names.empty() ? "" : ", ") + p.name;
  for (const auto& b : builder_names()) names += ", " + b;
  return names;
}

}  // namespace copyproof::ssm_bounds
