#include "copyproof/ssm_bounds/architecture_presets.hpp"

#include <algorithm>
#include <stdexcept>

namespace copyproof::ssm_bounds {
namespace {

constexpr int kBf16 = 16;  // bf16 / fp16 states (the checkpoint's dtype)
constexpr int kFp32 = 32;  // states the reference code keeps in float32

std::string num(std::int64_t v) { return std::to_string(v); }

StateComponent fixed(std::string what, std::int64_t layers, LayerState per_layer, int bits) {
  return {std::move(what), layers, per_layer, StateGrowth::fixed, bits};
}
StateComponent growing(std::string what, std::int64_t layers, LayerState per_token, int bits) {
  return {std::move(what), layers, per_token, StateGrowth::per_token, bits};
}

ArchitecturePreset preset(std::string name, std::string family, std::string config, std::string source,
                          std::string dtype, int vocabulary, std::int64_t layers,
                          std::vector<StateComponent> components) {
  return {std::move(name), std::move(family),    std::move(config), std::move(source), std::move(dtype), vocabulary,
          layers,          std::move(components)};
}

// Mamba-1 checkpoints: ssm_cfg is {} in their configs, so mamba_simple.py's defaults
// d_state=16, d_conv=4, expand=2 hold.
ArchitecturePreset mamba1(std::string name, std::int64_t d_model, std::int64_t n_layer) {
  return preset(name, "Mamba-1",
                "d_model=" + num(d_model) + " n_layer=" + num(n_layer) + " d_state=16 d_conv=4 expand=2",
                "state-spaces/mamba mamba_ssm/modules/mamba_simple.py; HF state-spaces/" + name + " config.json",
                "model dtype (fp16/bf16 deployed)", kGptNeoxVocabulary, n_layer,
                {fixed("ssm + conv", n_layer, mamba1_layer(d_model, 16, 4, 2), kBf16)});
}

// Mamba-2 checkpoints: ssm_cfg is {"layer": "Mamba2"}, so mamba2.py's defaults
// d_state=128, d_conv=4, expand=2, headdim=64, ngroups=1 hold.
ArchitecturePreset mamba2(std::string name, std::int64_t d_model, std::int64_t n_layer) {
  return preset(
      name, "Mamba-2",
      "d_model=" + num(d_model) + " n_layer=" + num(n_layer) + " d_state=128 d_conv=4 expand=2 headdim=64 ngroups=1",
      "state-spaces/mamba mamba_ssm/modules/mamba2.py; HF state-spaces/" + name + " config.json",
      "model dtype (fp16/bf16 deployed)", kGptNeoxVocabulary, n_layer,
      {fixed("ssm + conv", n_layer, mamba2_layer(d_model, 128, 4, 2, 64, 1), kBf16)});
}

ArchitecturePreset rwkv4(std::string name, std::string checkpoint, std::int64_t n_embd, std::int64_t n_layer) {
  return preset(name, "RWKV-4", "n_embd=" + num(n_embd) + " n_layer=" + num(n_layer),
                "BlinkDL/RWKV-LM RWKV-v4neo/src/model_run.py; HF BlinkDL/" + checkpoint + " (L" + num(n_layer) + "-D" +
                    num(n_embd) + ")",
                "fp32 (model_run.py keeps the state in float32)", kGptNeoxVocabulary, n_layer,
                {fixed("token shifts + WKV", n_layer, rwkv4_layer(n_embd), kFp32)});
}

// RWKV-7: the demo keeps the token shifts in the model dtype (fp16) and the WKV matrix in fp32.
ArchitecturePreset rwkv7(std::string name, std::string models, int vocabulary, std::int64_t n_embd,
                         std::int64_t n_layer) {
  return preset(name, "RWKV-7", "n_embd=" + num(n_embd) + " n_layer=" + num(n_layer) + " head_size=64",
                "BlinkDL/RWKV-LM RWKV-v7/rwkv_v7_demo_rnn.py; " + models, "fp16 token shifts, fp32 WKV state",
                vocabulary, n_layer,
                {fixed("token shifts", n_layer, rwkv7_token_shifts(n_embd), kBf16),
                 fixed("WKV matrix", n_layer, rwkv7_wkv_state(n_embd, 64), kFp32)});
}

// fla GLA/RetNet: key_dim = hidden_size * expand_k, value_dim = hidden_size * expand_v;
// use_short_conv is false in both configs, so the recurrent state is all they carry.
ArchitecturePreset fla_matrix_state(std::string name, std::string family, std::string layer_file,
                                    std::string checkpoint, std::int64_t hidden, std::int64_t key_dim,
                                    std::int64_t value_dim, std::int64_t heads, std::int64_t n_layer,
                                    std::string expand_text) {
  return preset(name, family,
                "hidden_size=" + num(hidden) + " num_hidden_layers=" + num(n_layer) + " num_heads=" + num(heads) + " " +
                    expand_text + " use_short_conv=false",
                "fla-org/flash-linear-attention " + layer_file + "; HF " + checkpoint + " config.json",
                "bf16 (torch_dtype of the checkpoint)", 32000, n_layer,
                {fixed("matrix state", n_layer, matrix_state(key_dim, value_dim, heads), kBf16)});
}

ArchitecturePreset pythia(std::string name, std::string size_dir, std::int64_t hidden, std::int64_t heads,
                          std::int64_t layers) {
  return preset(name, "Pythia (transformer)",
                "hidden-size=" + num(hidden) + " num-attention-heads=" + num(heads) + " num-layers=" + num(layers),
                "EleutherAI/pythia models/" + size_dir + "/" + name + ".yml", "fp16 (the configs' precision)",
                kGptNeoxVocabulary, layers,
                {growing("KV cache", layers, kv_cache_per_token(heads, hidden / heads), kBf16)});
}

// Mamba-2 layouts with grouped B/C (ngroups > 1), read from each checkpoint's config.
ArchitecturePreset mamba2_grouped(std::string name, std::string source, int vocabulary, std::int64_t d_model,
                                  std::int64_t n_layer, std::int64_t ngroups) {
  return preset(name, "Mamba-2",
                "d_model=" + num(d_model) + " n_layer=" + num(n_layer) +
                    " d_state=128 d_conv=4 expand=2 headdim=64 ngroups=" + num(ngroups),
                std::move(source), "bf16 (torch_dtype of the checkpoint)", vocabulary, n_layer,
                {fixed("ssm + conv", n_layer, mamba2_layer(d_model, 128, 4, 2, 64, ngroups), kBf16)});
}

// Mamba-3 keeps its recurrent state in fp32. No released config was checked: the shape
// is the 1.5B scale as docs/ssm_bounds.md states it, with its uncertainty.
ArchitecturePreset mamba3(std::string name, std::int64_t mimo_rank) {
  const std::int64_t d_model = 2048, n_layer = 24;
  return preset(name, mimo_rank == 1 ? "Mamba-3 (SISO)" : "Mamba-3 (MIMO)",
                "d_model=2048 n_layer=24 d_state=128 expand=2 headdim=64 mimo_rank=" + num(mimo_rank),
                "Lahoti et al. 2025, Mamba-3 (state-spaces/mamba mamba_ssm/modules/mamba3.py); shape assumed, "
                "see docs/ssm_bounds.md",
                "fp32 (the reference keeps the recurrent state in float32)", kGptNeoxVocabulary, n_layer,
                {fixed("ssm + angle + previous K, V", n_layer, mamba3_layer(d_model, 128, 2, 64, mimo_rank), kFp32)});
}

// fla delta-rule layers with short convolutions of width 4 on q, k and v.
ArchitecturePreset delta_rule(std::string name, std::string family, std::string source, std::string config,
                              std::int64_t n_layer, std::int64_t key_dim, std::int64_t value_dim, std::int64_t heads) {
  return preset(
      name, family, std::move(config), std::move(source), "bf16 (torch_dtype of the checkpoint)", 32000, n_layer,
      {fixed("delta-rule matrix + short convs", n_layer, delta_rule_layer(key_dim, value_dim, heads, 4), kBf16)});
}

// RecurrentGemma: block pattern (recurrent, recurrent, attention) repeated over the layers;
// local attention over a window of 2048 tokens, one KV head of 256 (multi-query).
ArchitecturePreset recurrent_gemma(std::string name, std::int64_t width, std::int64_t n_layer, std::int64_t heads) {
  const std::int64_t attention = n_layer / 3, recurrent = n_layer - attention;
  return preset(name, "RecurrentGemma (Griffin)",
                "hidden_size=" + num(width) + " lru_width=" + num(width) + " num_hidden_layers=" + num(n_layer) +
                    " block_types=(recurrent,recurrent,attention) num_attention_heads=" + num(heads) +
                    " num_key_value_heads=1 head_dim=256 attention_window_size=2048 conv1d_width=4",
                "google-deepmind/recurrentgemma; HF transformers models/recurrent_gemma/modeling_recurrent_gemma.py; "
                "HF google/" +
                    name + " config.json",
                "bf16 (torch_dtype of the checkpoint)", 256000, n_layer,
                {fixed("RG-LRU + conv1d", recurrent, rg_lru_layer(width, 4), kBf16),
                 fixed("windowed KV (local attention)", attention, windowed_kv_cache(2048, 1, 256), kBf16)});
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
      mamba2_grouped("mamba-codestral-7b",
                     "HF mistralai/Mamba-Codestral-7B-v0.1 config.json; transformers models/mamba2/modeling_mamba2.py",
                     32768, 4096, 64, 8),
      mamba2_grouped("mamba2-8b", "HF nvidia/mamba2-8b-3t-4k (Waleffe et al. 2024, Megatron-LM mamba config)", 256000,
                     4096, 56, 8),
      preset("falcon-mamba-7b", "Mamba-1",
             "hidden_size=4096 num_hidden_layers=64 state_size=16 conv_kernel=4 expand=2 intermediate_size=8192",
             "HF tiiuae/falcon-mamba-7b config.json; transformers models/falcon_mamba/modeling_falcon_mamba.py",
             "bf16 (torch_dtype of the checkpoint)", 65024, 64,
             {fixed("ssm + conv", 64, mamba1_layer(4096, 16, 4, 2), kBf16)}),
      mamba3("mamba3-siso-1.5b", 1),
      mamba3("mamba3-mimo-1.5b", 4),
      rwkv4("rwkv4-169m", "rwkv-4-pile-169m", 768, 12),
      rwkv4("rwkv4-430m", "rwkv-4-pile-430m", 1024, 24),
      rwkv4("rwkv4-1.5b", "rwkv-4-pile-1b5", 2048, 24),
      rwkv4("rwkv4-3b", "rwkv-4-pile-3b", 2560, 32),
      rwkv4("rwkv4-7b", "rwkv-4-pile-7b", 4096, 32),
      rwkv4("rwkv4-14b", "rwkv-4-pile-14b", 5120, 40),
      rwkv7("rwkv7-168m", "Pile model, HF BlinkDL/rwkv-7-pile", kGptNeoxVocabulary, 768, 12),
      rwkv7("rwkv7-421m", "Pile model, HF BlinkDL/rwkv-7-pile", kGptNeoxVocabulary, 1024, 24),
      rwkv7("rwkv7-1.5b", "World model, HF BlinkDL/rwkv-7-world RWKV-x070-World-1.5B (L24-D2048)", 65536, 2048, 24),
      rwkv7("rwkv7-2.9b", "World model, HF BlinkDL/rwkv-7-world RWKV-x070-World-2.9B (L32-D2560)", 65536, 2560, 32),
      // gla-1.3B-100B: expand_k 0.5, expand_v 1 -> key_dim 1024, value_dim 2048.
      fla_matrix_state("gla-1.3b", "GLA", "fla/layers/gla.py", "fla-hub/gla-1.3B-100B", 2048, 2048 / 2, 2048, 4, 24,
                       "expand_k=0.5 expand_v=1"),
      // retnet-1.3B-100B: expand_k 1, expand_v 2 -> key_dim 2048, value_dim 4096.
      fla_matrix_state("retnet-1.3b", "RetNet", "fla/layers/multiscale_retention.py", "fla-hub/retnet-1.3B-100B", 2048,
                       2048, 2 * 2048, 8, 24, "expand_k=1 expand_v=2"),
      // DeltaNet: expand_k = expand_v = 1, so key_dim = value_dim = hidden_size.
      delta_rule("deltanet-1.3b", "DeltaNet",
                 "fla-org/flash-linear-attention fla/layers/delta_net.py; HF fla-hub/delta_net-1.3B-100B config.json",
                 "hidden_size=2048 num_hidden_layers=24 num_heads=16 expand_k=1 expand_v=1 use_short_conv=true "
                 "conv_size=4",
                 24, 2048, 2048, 16),
      // Gated DeltaNet: key_dim = num_heads * head_dim = 1536, value_dim = key_dim * expand_v = 3072.
      delta_rule("gated-deltanet-1.3b", "Gated DeltaNet",
                 "NVlabs/GatedDeltaNet; fla-org/flash-linear-attention fla/layers/gated_deltanet.py and "
                 "fla/models/gated_deltanet/configuration_gated_deltanet.py (1.3B defaults)",
                 "hidden_size=2048 num_hidden_layers=21 num_heads=6 head_dim=256 expand_v=2 use_short_conv=true "
                 "conv_size=4",
                 21, 6 * 256, 2 * 6 * 256, 6),
      preset("hgrn2-1.3b", "HGRN2", "hidden_size=2048 num_hidden_layers=24 expand_ratio=128 use_short_conv=false",
             "fla-org/flash-linear-attention fla/layers/hgrn2.py; HF fla-hub/hgrn2-1.3B-100B config.json",
             "bf16 (torch_dtype of the checkpoint)", 32000, 24,
             {fixed("outer-product state", 24, hgrn2_layer(2048, 128), kBf16)}),
      // xLSTM-7b: qk_dim = 0.5 * 4096 = 2048, v_dim = 4096, 8 heads; inference_state_dtype float32.
      preset("xlstm-7b", "xLSTM (mLSTM)",
             "embedding_dim=4096 num_blocks=32 num_heads=8 qk_dim_factor=0.5 v_dim_factor=1.0",
             "NX-AI/xlstm xlstm/xlstm_large/model.py; HF NX-AI/xLSTM-7b config.json",
             "fp32 (inference_state_dtype float32)", kGptNeoxVocabulary, 32,
             {fixed("mLSTM C, n, m", 32, mlstm_layer(2048, 4096, 8), kFp32)}),
      recurrent_gemma("recurrentgemma-2b", 2560, 26, 10),
      recurrent_gemma("recurrentgemma-9b", 4096, 38, 16),
      // Jamba: attention every 8th layer from offset 4 (4 of 32), Mamba-1 elsewhere; GQA 8 KV heads of 128.
      preset("jamba-v0.1", "Jamba (hybrid)",
             "hidden_size=4096 num_hidden_layers=32 attn_layer_period=8 attn_layer_offset=4 num_attention_heads=32 "
             "num_key_value_heads=8 mamba_d_state=16 mamba_d_conv=4 mamba_expand=2",
             "HF ai21labs/Jamba-v0.1 config.json; transformers models/jamba/modeling_jamba.py",
             "bf16 (torch_dtype of the checkpoint)", 65536, 32,
             {fixed("Mamba-1 ssm + conv", 28, mamba1_layer(4096, 16, 4, 2), kBf16),
              growing("KV cache (global attention)", 4, kv_cache_per_token(8, 128), kBf16)}),
      // Zamba2-2.7B: 54 Mamba-2 layers; a shared attention block runs before 9 of them, each
      // invocation with its own KV cache over 2 * hidden_size = 5120 (32 heads of 160).
      preset("zamba2-2.7b", "Zamba2 (hybrid)",
             "hidden_size=2560 num_hidden_layers=54 hybrid_layers=9 mamba_d_state=64 mamba_headdim=64 "
             "n_mamba_heads=80 mamba_ngroups=1 mamba_d_conv=4 mamba_expand=2 num_attention_heads=32 "
             "num_key_value_heads=32 attention_head_dim=160",
             "HF Zyphra/Zamba2-2.7B config.json; transformers models/zamba2/modeling_zamba2.py",
             "bf16 (torch_dtype of the checkpoint)", 32000, 54,
             {fixed("Mamba-2 ssm + conv", 54, mamba2_layer(2560, 64, 4, 2, 64, 1), kBf16),
              growing("KV cache (shared attention)", 9, kv_cache_per_token(32, 160), kBf16)}),
      pythia("pythia-410m", "410M", 1024, 16, 24),
      pythia("pythia-1.4b", "1.4B", 2048, 16, 24),
      pythia("pythia-2.8b", "2.8B", 2560, 32, 32),
  };
}

std::int64_t required(const std::optional<std::int64_t>& value, const std::string& builder, const char* flag) {
  if (!value) throw std::invalid_argument(std::string(flag) + ": required by --preset " + builder);
  return *value;
}

cpp_int sum_numbers(const std::vector<StateComponent>& components, StateGrowth growth, bool effective) {
  cpp_int total = 0;
  for (const auto& c : components)
    if (c.growth == growth) total += cpp_int(c.layers) * (effective ? c.per_layer.effective : c.per_layer.stored);
  return total;
}

// Effective bits of the components that grow as `growth`, each number at
// `bits_per_number` or at its native bits.
cpp_int bits_of(const std::vector<StateComponent>& components, StateGrowth growth, std::optional<int> bits_per_number) {
  cpp_int total = 0;
  for (const auto& c : components)
    if (c.growth == growth)
      total += cpp_int(c.layers) * c.per_layer.effective * bits_per_number.value_or(c.native_bits);
  return total;
}

}  // namespace

bool ArchitecturePreset::fixed_state() const { return growth_per_token(true) == 0; }

cpp_int ArchitecturePreset::fixed_numbers(bool effective) const {
  return sum_numbers(components, StateGrowth::fixed, effective);
}

cpp_int ArchitecturePreset::growth_per_token(bool effective) const {
  return sum_numbers(components, StateGrowth::per_token, effective);
}

cpp_int ArchitecturePreset::state_numbers(const cpp_int& length, bool effective) const {
  return fixed_numbers(effective) + growth_per_token(effective) * (length + 2);
}

cpp_int ArchitecturePreset::fixed_bits(std::optional<int> bits_per_number) const {
  return bits_of(components, StateGrowth::fixed, bits_per_number);
}

cpp_int ArchitecturePreset::state_bits(const cpp_int& length, std::optional<int> bits_per_number) const {
  return fixed_bits(bits_per_number) + bits_of(components, StateGrowth::per_token, bits_per_number) * (length + 2);
}

std::optional<int> ArchitecturePreset::uniform_native_bits() const {
  if (components.empty()) return std::nullopt;
  for (const auto& c : components)
    if (c.native_bits != components.front().native_bits) return std::nullopt;
  return components.front().native_bits;
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
  preset.cache_dtype = "as built (counted at 16 bits unless --bits-per-number)";
  preset.config = "d_model=" + num(d_model) + " layers=" + num(layers);
  LayerState per_layer;
  if (name == "lstm") {
    preset.family = "LSTM";
    preset.source = "h and c per layer (PyTorch nn.LSTM)";
    per_layer = lstm_layer(d_model);
  } else if (name == "gru") {
    preset.family = "GRU";
    preset.source = "h per layer (PyTorch nn.GRU)";
    per_layer = gru_layer(d_model);
  } else if (name == "linear-attention") {
    const std::int64_t heads = required(sizes.heads, builder, "--heads");
    if (d_model % heads != 0)
      throw std::invalid_argument("--heads: must divide --d-model (" + num(heads) + " does not divide " + num(d_model) +
                                  ")");
    preset.family = "Linear attention";
    preset.source = "S and z per head (Katharopoulos et al. 2020)";
    preset.config += " heads=" + num(heads);
    per_layer = linear_attention_layer(d_model, heads);
  } else if (name == "s4d") {
    const std::int64_t d_state = required(sizes.d_state, builder, "--d-state");
    if (d_state % 2 != 0) throw std::invalid_argument("--d-state: must be even (d_state / 2 complex modes)");
    preset.family = "S4D";
    preset.source = "state-spaces/s4 models/s4/s4d.py (d_state/2 complex modes per channel)";
    preset.config += " d_state=" + num(d_state);
    per_layer = s4d_layer(d_model, d_state);
  } else {
    throw std::invalid_argument("--preset: '" + builder + "' is not a builder");
  }
  preset.components = {fixed("recurrent state", layers, per_layer, kDefaultBitsPerNumber)};
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
