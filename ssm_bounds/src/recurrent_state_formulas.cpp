#include "copyproof/ssm_bounds/recurrent_state_formulas.hpp"

#include <stdexcept>

namespace copyproof::ssm_bounds {
namespace {
LayerState same(std::int64_t numbers) { return {numbers, numbers}; }
LayerState operator+(LayerState a, LayerState b) { return {a.stored + b.stored, a.effective + b.effective}; }
}  // namespace

LayerState rolled_conv_buffer(std::int64_t channels, std::int64_t width) {
  return {channels * width, channels * (width - 1)};
}

LayerState matrix_state(std::int64_t key_dim, std::int64_t value_dim, std::int64_t heads) {
  if (heads < 1 || key_dim % heads != 0 || value_dim % heads != 0)
    throw std::invalid_argument("key and value dimensions must divide into the heads");
  return same(heads * (key_dim / heads) * (value_dim / heads));
}

LayerState mamba1_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t d_conv, std::int64_t expand) {
  const std::int64_t d_inner = expand * d_model;
  return rolled_conv_buffer(d_inner, d_conv) + same(d_inner * d_state);
}

LayerState mamba2_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t d_conv, std::int64_t expand,
                        std::int64_t headdim, std::int64_t ngroups) {
  const std::int64_t d_inner = expand * d_model;
  if (d_inner % headdim != 0) throw std::invalid_argument("Mamba-2: d_inner must be a multiple of headdim");
  const std::int64_t nheads = d_inner / headdim;
  return rolled_conv_buffer(d_inner + 2 * ngroups * d_state, d_conv) + same(nheads * headdim * d_state);
}

LayerState rwkv4_layer(std::int64_t n_embd) { return same(5 * n_embd); }

LayerState rwkv7_layer(std::int64_t n_embd, std::int64_t head_size) {
  return same(n_embd) + matrix_state(n_embd, n_embd, n_embd / head_size) + same(n_embd);
}

LayerState lstm_layer(std::int64_t hidden) { return same(2 * hidden); }

LayerState gru_layer(std::int64_t hidden) { return same(hidden); }

LayerState linear_attention_layer(std::int64_t d_model, std::int64_t heads) {
  return matrix_state(d_model, d_model, heads) + same(d_model);  // z: d_head per head
}

LayerState s4d_layer(std::int64_t d_model, std::int64_t d_state) {
  if (d_state % 2 != 0) throw std::invalid_argument("S4D: d_state must be even (d_state / 2 complex modes)");
  return same(d_model * d_state);
}

LayerState kv_cache_per_token(std::int64_t d_model) { return same(2 * d_model); }

}  // namespace copyproof::ssm_bounds
