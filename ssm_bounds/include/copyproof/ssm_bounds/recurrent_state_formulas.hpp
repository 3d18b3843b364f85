#pragma once
// How many numbers one layer of each architecture carries from token to token, read off
// its reference implementation's inference cache (docs/ssm_bounds.md cites each file).
// Each formula is written here once; presets only supply config numbers.
//
// `stored` is what the cache allocates; `effective` leaves out slots that are
// overwritten before they are ever read again (the bound uses `effective`).
// Every formula throws std::invalid_argument on a configuration that cannot exist
// (a head count that does not divide its dimension, an odd rotary state, ...).

#include <cstdint>

namespace copyproof::ssm_bounds {

struct LayerState {
  std::int64_t stored = 0;
  std::int64_t effective = 0;
};

// A depthwise causal convolution of width w run step by step keeps a (channels x w)
// buffer; each step rolls it, writes the newest input into the last column and reads
// all w columns. The oldest column it carried in is overwritten unread, so only w - 1
// columns per channel reach the future.
LayerState rolled_conv_buffer(std::int64_t channels, std::int64_t width);
// A cache that keeps only the w - 1 past inputs (stored = effective = channels (w - 1)).
LayerState past_inputs_conv_buffer(std::int64_t channels, std::int64_t width);

// A multi-head matrix state: per head a (key_dim/heads) x (value_dim/heads) matrix
// (GLA, RetNet, linear attention, DeltaNet, HGRN2). Every entry is read at every step.
LayerState matrix_state(std::int64_t key_dim, std::int64_t value_dim, std::int64_t heads);

// Mamba-1 (mamba_ssm/modules/mamba_simple.py, allocate_inference_cache): d_inner =
// expand * d_model; conv_state (d_inner, d_conv) and ssm_state (d_inner, d_state).
LayerState mamba1_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t d_conv, std::int64_t expand);

// Mamba-2 (mamba_ssm/modules/mamba2.py): d_inner = expand * d_model, nheads = d_inner /
// headdim; conv_state (d_inner + 2 ngroups d_state, d_conv), ssm_state (nheads, headdim, d_state).
LayerState mamba2_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t d_conv, std::int64_t expand,
                        std::int64_t headdim, std::int64_t ngroups);

// Mamba-3 (Lahoti et al., "Mamba-3", 2025): no convolution. H = expand d_model / headdim
// heads of P = headdim; ssm (H, P, N); the cumulative rotary angle of the complex
// (data-dependent RoPE) state, (H, N/2); and for the trapezoidal rule the previous
// step's input-side K (B: H, N, R) and V (x: H, P, R), R = MIMO rank (1 for SISO).
LayerState mamba3_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t expand, std::int64_t headdim,
                        std::int64_t mimo_rank);

// RWKV-4 (RWKV-v4neo/src/model_run.py): five n_embd vectors per layer: the channel-mix
// and time-mix token shifts (ffn_xx, att_xx) and the WKV numerator, denominator and
// running exponent (aa, bb, pp). All five are read at the next step.
LayerState rwkv4_layer(std::int64_t n_embd);

// RWKV-7 (RWKV-v7/rwkv_v7_demo_rnn.py): the two token shifts att_x_prev and ffn_x_prev
// (n_embd each) and the WKV matrix state (n_embd / head_size heads of head_size x head_size).
LayerState rwkv7_token_shifts(std::int64_t n_embd);
LayerState rwkv7_wkv_state(std::int64_t n_embd, std::int64_t head_size);

// DeltaNet and Gated DeltaNet (fla/layers/delta_net.py, gated_deltanet.py): the delta-rule
// matrix state, per head (key_dim/heads) x (value_dim/heads), plus the short convolutions
// on q, k and v (key_dim, key_dim and value_dim channels of width conv_size).
LayerState delta_rule_layer(std::int64_t key_dim, std::int64_t value_dim, std::int64_t heads, std::int64_t conv_size);

// HGRN2 (fla/layers/hgrn2.py): heads = d_model / expand_ratio, each an expand_ratio x
// (d_model / heads) outer-product state: expand_ratio * d_model numbers.
LayerState hgrn2_layer(std::int64_t d_model, std::int64_t expand_ratio);

// xLSTM mLSTM block (NX-AI/xlstm xlstm/xlstm_large/model.py): per head the matrix memory
// C (d_qk x d_v), the normalizer n (d_qk) and the stabilizer m (1); d_qk = qk_dim / heads.
LayerState mlstm_layer(std::int64_t qk_dim, std::int64_t v_dim, std::int64_t heads);

// RecurrentGemma / Griffin recurrent block (google-deepmind/recurrentgemma; HF
// modeling_recurrent_gemma.py): the RG-LRU state (lru_width) and the conv1d state, the
// (conv_width - 1) past inputs of lru_width channels.
LayerState rg_lru_layer(std::int64_t lru_width, std::int64_t conv_width);

// Generic recurrent layers from flags.
LayerState lstm_layer(std::int64_t hidden);  // h and c (PyTorch nn.LSTM's (h_n, c_n))
LayerState gru_layer(std::int64_t hidden);   // h
// Causal linear attention (Katharopoulos et al. 2020): per head S = sum phi(k) v^T
// (d_head x d_head) and the normalizer z = sum phi(k) (d_head), d_head = d_model / heads.
LayerState linear_attention_layer(std::int64_t d_model, std::int64_t heads);
// S4D (state-spaces/s4 models/s4/s4d.py): d_state / 2 complex modes per channel, i.e.
// d_state real numbers per channel.
LayerState s4d_layer(std::int64_t d_model, std::int64_t d_state);

// An attention layer's KV cache per cached token: one key and one value per KV head
// (grouped-query attention caches kv_heads < heads of them).
LayerState kv_cache_per_token(std::int64_t kv_heads, std::int64_t head_dim);
// A sliding-window attention layer's KV cache: at most `window` tokens, a fixed size.
LayerState windowed_kv_cache(std::int64_t window, std::int64_t kv_heads, std::int64_t head_dim);

}  // namespace copyproof::ssm_bounds
