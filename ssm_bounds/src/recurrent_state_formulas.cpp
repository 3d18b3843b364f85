#include "copyproof/ssm_bounds/recurrent_state_formulas.hpp"

#include <stdexcept>
#include <string>

namespace copyproof::ssm_bounds {
namespace {
LayerState same(std::int64_t numbers) { return {numbers, numbers}; }
LayerState operator+(LayerState a, LayerState b) { return {a.stored + b.stored, a.effective + b.effective}; }
LayerState operator*(std::int64_t k, LayerState a) { return {k * a.stored, k * a.effective}; }

void require_positive(std::int64_t value, const char* what) {
  if (value < 1) throw std::invalid_argument(std::string(what) + " must be >= 1");
}
// `whole` split into `parts` equal parts; throws naming both when it does not divide.
std::int64_t divide(std::int64_t whole, std::int64_t parts, const char* whole_name, const char* parts_name) {
  require_positive(parts, parts_name);
  if (whole % parts != 0)
    throw std::invalid_argument(std::string(parts_name) + " (" + std::to_string(parts) + ") must divide " + whole_name +
                                " (" + std::to_string(whole) + ")");
  return whole / parts;
}
}  // namespace

LayerState rolled_conv_buffer(std::int64_t channels, std::int64_t width) {
  require_positive(width, "convolution width");
  return {channels * width, channels * (width - 1)};
}

LayerState past_inputs_conv_buffer(std::int64_t channels, std::int64_t width) {
  require_positive(width, "convolution width");
  return same(channels * (width - 1));
}

LayerState matrix_state(std::int64_t key_dim, std::int64_t value_dim, std::int64_t heads) {
  const std::int64_t head_k = divide(key_dim, heads, "the key dimension", "heads");
  const std::int64_t head_v = divide(value_dim, heads, "the value dimension", "heads");
  return same(heads * head_k * head_v);
}

LayerState mamba1_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t d_conv, std::int64_t expand) {
  const std::int64_t d_inner = expand * d_model;
  return rolled_conv_buffer(d_inner, d_conv) + same(d_inner * d_state);
}

LayerState mamba2_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t d_conv, std::int64_t expand,
                        std::int64_t headdim, std::int64_t ngroups) {
  const std::int64_t d_inner = expand * d_model;
  const std::int64_t nheads = divide(d_inner, headdim, "d_inner = expand d_model", "headdim");
  divide(nheads, ngroups, "the head count", "ngroups");
  return rolled_conv_buffer(d_inner + 2 * ngroups * d_state, d_conv) + same(nheads * headdim * d_state);
}

LayerState mamba3_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t expand, std::int64_t headdim,
                        std::int64_t mimo_rank) {
  const std::int64_t heads = divide(expand * d_model, headdim, "d_inner = expand d_model", "headdim");
  const std::int64_t angles = divide(d_state, 2, "d_state", "2 (rotary pairs)");
  require_positive(mimo_rank, "MIMO rank");
  const LayerState ssm = same(heads * headdim * d_state);
  const LayerState angle = same(heads * angles);
  const LayerState previous_k = same(heads * d_state * mimo_rank);
  const LayerState previous_v = same(heads * headdim * mimo_rank);
  return ssm + angle + previous_k + previous_v;
}

LayerState rwkv4_layer(std::int64_t n_embd) { return same(5 * n_embd); }

LayerState rwkv7_token_shifts(std::int64_t n_embd) { return same(2 * n_embd); }

LayerState rwkv7_wkv_state(std::int64_t n_embd, std::int64_t head_size) {
  return matrix_state(n_embd, n_embd, divide(n_embd, head_size, "n_embd", "head_size"));
}

LayerState delta_rule_layer(std::int64_t key_dim, std::int64_t value_dim, std::int64_t heads, std::int64_t conv_size) {
  return matrix_state(key_dim, value_dim, heads) + rolled_conv_buffer(2 * key_dim + value_dim, conv_size);
}

LayerState hgrn2_layer(std::int64_t d_model, std::int64_t expand_ratio) {
  const std::int64_t heads = divide(d_model, expand_ratio, "d_model", "expand_ratio");
  return matrix_state(heads * expand_ratio, d_model, heads);
}

LayerState mlstm_layer(std::int64_t qk_dim, std::int64_t v_dim, std::int64_t heads) {
  const std::int64_t d_qk = divide(qk_dim, heads, "qk_dim", "heads");
  const std::int64_t d_v = divide(v_dim, heads, "v_dim", "heads");
  return heads * (same(d_qk * d_v) + same(d_qk) + same(1));  // C, n, m
}

LayerState rg_lru_layer(std::int64_t lru_width, std::int64_t conv_width) {
  return same(lru_width) + past_inputs_conv_buffer(lru_width, conv_width);
}

LayerState lstm_layer(std::int64_t hidden) { return same(2 * hidden); }

LayerState gru_layer(std::int64_t hidden) { return same(hidden); }

LayerState linear_attention_layer(std::int64_t d_model, std::int64_t heads) {
  return matrix_state(d_model, d_model, heads) + same(d_model);  // z: d_head per head
}

LayerState s4d_layer(std::int64_t d_model, std::int64_t d_state) {
  divide(d_state, 2, "--d-state", "2 (d_state / 2 complex modes)");
  return same(d_model * d_state);
}

LayerState kv_cache_per_token(std::int64_t kv_heads, std::int64_t head_dim) {
  require_positive(kv_heads, "KV heads");
  return same(2 * kv_heads * head_dim);
}

LayerState windowed_kv_cache(std::int64_t window, std::int64_t kv_heads, std::int64_t head_dim) {
  require_positive(window, "attention window");
  return window * kv_cache_per_token(kv_heads, head_dim);
}

}  // namespace copyproof::ssm_bounds
