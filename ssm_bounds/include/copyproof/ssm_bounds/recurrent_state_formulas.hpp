#pragma once
// How many numbers one layer of each architecture carries from token to token, read off
// its reference implementation's inference cache (docs/ssm_bounds.md cites each file).
// Each formula is written here once; presets only supply config numbers.
//
// `stored` is what the cache allocates; `effective` leaves out slots that are
// overwritten before they are ever read again (the bound uses `effective`).

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

// A multi-head matrix state: per head a (key_dim/heads) x (value_dim/heads) matrix
// (GLA, RetNet, linear attention). Every entry is read at every step.
LayerState matrix_state(std::int64_t key_dim, std::int64_t value_dim, std::int64_t heads);

// Mamba-1 (mamba_ssm/modules/mamba_simple.py, allocate_inference_cache): d_inner =
// expand * d_model; conv_state (d_inner, d_conv) and ssm_state (d_inner, d_state).
LayerState mamba1_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t d_conv, std::int64_t expand);

// Mamba-2 (mamba_ssm/modules/mamba2.py): d_inner = expand * d_model, nheads = d_inner /
// headdim; conv_state (d_inner + 2 ngroups d_state, d_conv), ssm_state (nheads, headdim, d_state).
LayerState mamba2_layer(std::int64_t d_model, std::int64_t d_state, std::int64_t d_conv, std::int64_t expand,
                        std::int64_t headdim, std::int64_t ngroups);

// RWKV-4 (RWKV-v4neo/src/model_run.py): five n_embd vectors per layer: the channel-mix
// and time-mix token shifts (ffn_xx, att_xx) and the WKV numerator, denominator and
// running exponent (aa, bb, pp). All five are read at the next step.
LayerState rwkv4_layer(std::int64_t n_embd);

// RWKV-7 (RWKV-v7/rwkv_v7_demo_rnn.py): att_x_prev (n_embd), the WKV matrix state
// (n_embd / head_size heads of head_size x head_size) and ffn_x_prev (n_embd).
LayerState rwkv7_layer(std::int64_t n_embd, std::int64_t head_size);

// Generic recurrent layers from flags.
LayerState lstm_layer(std::int64_t hidden);  // h and c (PyTorch nn.LSTM's (h_n, c_n))
LayerState gru_layer(std::int64_t hidden);   // h
// Causal linear attention (Katharopoulos et al. 2020): per head S = sum phi(k) v^T
// (d_head x d_head) and the normalizer z = sum phi(k) (d_head), d_head = d_model / heads.
LayerState linear_attention_layer(std::int64_t d_model, std::int64_t heads);
// S4D (state-spaces/s4 models/s4/s4d.py): d_state / 2 complex modes per channel, i.e.
// d_state real numbers per channel.
LayerState s4d_layer(std::int64_t d_model, std::int64_t d_state);

// A transformer's KV cache, per layer and per cached token: one key and one value of
// d_model numbers each (all heads together).
LayerState kv_cache_per_token(std::int64_t d_model);

}  // namespace copyproof::ssm_bounds
