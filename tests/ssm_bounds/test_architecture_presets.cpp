// Preset totals against the arithmetic written out by hand from each model's config
// (docs/ssm_bounds.md has the sources). Mamba-1: stored d_inner (d_conv + d_state),
// effective d_inner (d_conv - 1 + d_state), d_inner = 2 d_model, d_state 16, d_conv 4.
#include <doctest/doctest.h>

#include <cmath>

#include "copyproof/ssm_bounds/architecture_presets.hpp"
#include "copyproof/ssm_bounds/preset_report.hpp"

using namespace copyproof::ssm_bounds;

namespace {
ArchitecturePreset preset(const char* name) {
  const auto p = find_architecture(name, {});
  REQUIRE(p);
  return *p;
}
void check_totals(const char* name, long long stored, long long effective) {
  CAPTURE(name);
  const auto p = preset(name);
  CHECK(p.fixed_state());
  CHECK(p.fixed_numbers(false) == stored);
  CHECK(p.fixed_numbers(true) == effective);
  CHECK(p.growth_per_token(true) == 0);
}
// A model whose attention KV cache grows: fixed part and numbers per cached token.
void check_growing(const char* name, long long fixed_stored, long long fixed_effective, long long per_token) {
  CAPTURE(name);
  const auto p = preset(name);
  CHECK_FALSE(p.fixed_state());
  CHECK(p.fixed_numbers(false) == fixed_stored);
  CHECK(p.fixed_numbers(true) == fixed_effective);
  CHECK(p.growth_per_token(false) == per_token);
  CHECK(p.growth_per_token(true) == per_token);
  CHECK(p.state_numbers(1000, true) == fixed_effective + per_token * 1002);  // BOS, 1000 letters, COPY
  CHECK_FALSE(native_max_length_half(p));
}
}  // namespace

TEST_CASE("Mamba-1: n_layer * 2 d_model * (4 + 16), effective (3 + 16)") {
  check_totals("mamba-130m", 24LL * 1536 * 20, 24LL * 1536 * 19);
  check_totals("mamba-370m", 48LL * 2048 * 20, 48LL * 2048 * 19);
  check_totals("mamba-790m", 48LL * 3072 * 20, 48LL * 3072 * 19);
  check_totals("mamba-1.4b", 48LL * 4096 * 20, 48LL * 4096 * 19);
  check_totals("mamba-2.8b", 64LL * 5120 * 20, 64LL * 5120 * 19);
}

TEST_CASE("Mamba-2: ssm 2 d_model * 128, conv (2 d_model + 2*128) * 4, effective * 3") {
  check_totals("mamba2-130m", 24LL * (1536 * 128 + (1536 + 256) * 4), 24LL * (1536 * 128 + (1536 + 256) * 3));
  check_totals("mamba2-370m", 48LL * (2048 * 128 + (2048 + 256) * 4), 48LL * (2048 * 128 + (2048 + 256) * 3));
  check_totals("mamba2-780m", 48LL * (3072 * 128 + (3072 + 256) * 4), 48LL * (3072 * 128 + (3072 + 256) * 3));
  check_totals("mamba2-1.3b", 48LL * (4096 * 128 + (4096 + 256) * 4), 48LL * (4096 * 128 + (4096 + 256) * 3));
  check_totals("mamba2-2.7b", 64LL * (5120 * 128 + (5120 + 256) * 4), 64LL * (5120 * 128 + (5120 + 256) * 3));
}

TEST_CASE("RWKV-4: 5 n_embd per layer; RWKV-7: 2 n_embd + n_embd * 64 per layer") {
  check_totals("rwkv4-169m", 12LL * 5 * 768, 12LL * 5 * 768);
  check_totals("rwkv4-430m", 24LL * 5 * 1024, 24LL * 5 * 1024);
  check_totals("rwkv4-1.5b", 24LL * 5 * 2048, 24LL * 5 * 2048);
  check_totals("rwkv4-3b", 32LL * 5 * 2560, 32LL * 5 * 2560);
  check_totals("rwkv4-7b", 32LL * 5 * 4096, 32LL * 5 * 4096);
  check_totals("rwkv4-14b", 40LL * 5 * 5120, 40LL * 5 * 5120);
  check_totals("rwkv7-168m", 12LL * (2 * 768 + 12 * 64 * 64), 12LL * (2 * 768 + 12 * 64 * 64));
  check_totals("rwkv7-421m", 24LL * (2 * 1024 + 16 * 64 * 64), 24LL * (2 * 1024 + 16 * 64 * 64));
}

TEST_CASE("GLA and RetNet: heads * (key_dim/heads) * (value_dim/heads) per layer") {
  check_totals("gla-1.3b", 24LL * 4 * 256 * 512, 24LL * 4 * 256 * 512);     // key 1024, value 2048, 4 heads
  check_totals("retnet-1.3b", 24LL * 8 * 256 * 512, 24LL * 8 * 256 * 512);  // key 2048, value 4096, 8 heads
}

TEST_CASE("Pythia: 2 * num-layers * hidden-size KV numbers per token, times L + 2 tokens") {
  check_growing("pythia-410m", 0, 0, 2LL * 24 * 1024);
  check_growing("pythia-1.4b", 0, 0, 2LL * 24 * 2048);
  check_growing("pythia-2.8b", 0, 0, 2LL * 32 * 2560);
  CHECK(preset("mamba-130m").state_numbers(1000, true) == 24LL * 1536 * 19);  // fixed: no L
}

TEST_CASE("Mamba-2 with 8 groups: Codestral-7B and NVIDIA's 8B; Falcon-Mamba-7B is Mamba-1") {
  // d_inner 8192, ssm 8192 * 128, conv (8192 + 2 * 8 * 128) * 4 (effective * 3)
  check_totals("mamba-codestral-7b", 64LL * (8192 * 128 + 10240 * 4), 64LL * (8192 * 128 + 10240 * 3));
  check_totals("mamba2-8b", 56LL * (8192 * 128 + 10240 * 4), 56LL * (8192 * 128 + 10240 * 3));
  check_totals("falcon-mamba-7b", 64LL * 8192 * 20, 64LL * 8192 * 19);
}

TEST_CASE("Mamba-3: H P N + angles H N/2 + previous K H N R + previous V H P R, fp32, no conv") {
  // H = 2 * 2048 / 64 = 64 heads, P = 64, N = 128
  check_totals("mamba3-siso-1.5b", 24LL * (64 * 64 * 128 + 64 * 64 + 64 * 128 + 64 * 64),
               24LL * (64 * 64 * 128 + 64 * 64 + 64 * 128 + 64 * 64));
  check_totals("mamba3-mimo-1.5b", 24LL * (64 * 64 * 128 + 64 * 64 + 64 * 128 * 4 + 64 * 64 * 4),
               24LL * (64 * 64 * 128 + 64 * 64 + 64 * 128 * 4 + 64 * 64 * 4));
  const auto p = preset("mamba3-siso-1.5b");
  CHECK(p.fixed_bits(std::nullopt) == p.fixed_numbers(true) * 32);
  CHECK(p.fixed_bits(16) == p.fixed_numbers(true) * 16);
}

TEST_CASE("RWKV-7 World: 64 d + 2 d per layer; shifts at 16 bits, WKV at 32") {
  check_totals("rwkv7-1.5b", 24LL * (2 * 2048 + 32 * 64 * 64), 24LL * (2 * 2048 + 32 * 64 * 64));
  check_totals("rwkv7-2.9b", 32LL * (2 * 2560 + 40 * 64 * 64), 32LL * (2 * 2560 + 40 * 64 * 64));
  const auto p = preset("rwkv7-1.5b");
  CHECK_FALSE(p.uniform_native_bits());
  CHECK(p.fixed_bits(std::nullopt) == 24LL * 2 * 2048 * 16 + 24LL * 32 * 64 * 64 * 32);
  CHECK(p.vocabulary == 65536);
}

TEST_CASE("DeltaNet, Gated DeltaNet, HGRN2: matrix states plus short convolutions") {
  // DeltaNet: 16 heads of 128 x 128; convs on q, k, v: 3 * 2048 channels, width 4
  check_totals("deltanet-1.3b", 24LL * (16 * 128 * 128 + 3 * 2048 * 4), 24LL * (16 * 128 * 128 + 3 * 2048 * 3));
  // Gated DeltaNet: 6 heads of 256 x 512; convs on q, k (1536 each) and v (3072)
  check_totals("gated-deltanet-1.3b", 21LL * (6 * 256 * 512 + 6144 * 4), 21LL * (6 * 256 * 512 + 6144 * 3));
  check_totals("hgrn2-1.3b", 24LL * 128 * 2048, 24LL * 128 * 2048);  // expand_ratio * d
}

TEST_CASE("xLSTM-7B: per block 8 heads of C (256 x 512), n (256), m (1), in fp32") {
  check_totals("xlstm-7b", 32LL * 8 * (256 * 512 + 256 + 1), 32LL * 8 * (256 * 512 + 256 + 1));
  CHECK(preset("xlstm-7b").uniform_native_bits() == 32);
}

TEST_CASE("RecurrentGemma: RG-LRU width + 3 conv columns per recurrent layer, 2 x 2048 x 1 x 256 windowed KV") {
  check_totals("recurrentgemma-2b", 18LL * (2560 + 3 * 2560) + 8LL * 2 * 2048 * 256,
               18LL * (2560 + 3 * 2560) + 8LL * 2 * 2048 * 256);
  check_totals("recurrentgemma-9b", 26LL * (4096 + 3 * 4096) + 12LL * 2 * 2048 * 256,
               26LL * (4096 + 3 * 4096) + 12LL * 2 * 2048 * 256);
  CHECK(native_max_length_half(preset("recurrentgemma-2b")));  // windowed: fixed, Theorem 2.7 applies
}

TEST_CASE("hybrids are not fixed-state: Jamba and Zamba2 grow by their KV cache per token") {
  // Jamba: 28 Mamba-1 layers (d_inner 8192), 4 attention layers of 8 KV heads x 128
  check_growing("jamba-v0.1", 28LL * 8192 * 20, 28LL * 8192 * 19, 4LL * 2 * 8 * 128);
  // Zamba2-2.7B: 54 Mamba-2 layers (d_inner 5120, N 64, conv 5120 + 128), 9 attention calls of 32 x 160
  check_growing("zamba2-2.7b", 54LL * (5120 * 64 + 5248 * 4), 54LL * (5120 * 64 + 5248 * 3), 9LL * 2 * 32 * 160);
}

TEST_CASE("L*: the longest L with error <= 1/2 possible, 2^B / D^L > 1/2 iff L log2 D < B + 1") {
  const auto p = preset("mamba-2.8b");
  const long long bits = 64LL * 5120 * 19 * 16;  // bf16
  CHECK(p.fixed_bits(std::nullopt) == bits);
  // (B + 1) / log2 D is far from an integer here, so long double settles the floor.
  const long double quotient = (bits + 1.0L) / std::log2(50277.0L);
  CHECK(*native_max_length_half(p) == static_cast<long long>(std::floor(quotient)));
  CHECK(*native_max_length_half(p) > 6000000);  // millions of tokens
}

TEST_CASE("builders from flags") {
  BuilderSizes s;
  s.d_model = 512;
  s.layers = 2;
  CHECK(find_architecture("lstm", s)->fixed_numbers(true) == 2 * 2 * 512);
  CHECK(find_architecture("gru", s)->fixed_numbers(true) == 2 * 512);
  s.heads = 7;
  CHECK_THROWS_AS(find_architecture("linear-attention", s), std::invalid_argument);  // 7 does not divide 512
  s.heads = 8;
  CHECK(find_architecture("linear-attention", s)->fixed_numbers(true) == 2 * (8 * 64 * 64 + 512));
  s.d_state = 64;
  CHECK(find_architecture("s4d", s)->fixed_numbers(true) == 2 * 512 * 64);
  CHECK_THROWS_AS(find_architecture("s4d", BuilderSizes{512, 2, std::nullopt, std::nullopt}), std::invalid_argument);
  CHECK_FALSE(find_architecture("no-such-model", s));
}

TEST_CASE("formulas refuse configurations that cannot exist") {
  CHECK_THROWS_AS(mamba2_layer(768, 128, 4, 2, 100, 1), std::invalid_argument);  // headdim does not divide 1536
  CHECK_THROWS_AS(mamba2_layer(768, 128, 4, 2, 64, 5), std::invalid_argument);   // 5 groups over 24 heads
  CHECK_THROWS_AS(mamba3_layer(2048, 127, 2, 64, 1), std::invalid_argument);     // odd d_state: no rotary pairs
  CHECK_THROWS_AS(mlstm_layer(2048, 4096, 3), std::invalid_argument);
  CHECK_THROWS_AS(hgrn2_layer(2048, 100), std::invalid_argument);
  CHECK_THROWS_AS(rwkv7_wkv_state(1000, 64), std::invalid_argument);
}

TEST_CASE("every published preset is listed with a source and a cache dtype") {
  CHECK(published_presets().size() >= 35);
  for (const auto& p : published_presets()) {
    CAPTURE(p.name);
    CHECK_FALSE(p.source.empty());
    CHECK_FALSE(p.cache_dtype.empty());
    CHECK(p.fixed_numbers(true) <= p.fixed_numbers(false));
    CHECK_FALSE(p.components.empty());
    CHECK(p.fixed_state() == (p.growth_per_token(true) == 0));
    CHECK(architecture_names().find(p.name) != std::string::npos);
  }
}
