// Preset totals against the arithmetic written out by hand from each model's config
// (docs/ssm_bounds.md has the sources). Mamba-1: stored d_inner (d_conv + d_state),
// effective d_inner (d_conv - 1 + d_state), d_inner = 2 d_model, d_state 16, d_conv 4.
#include <doctest/doctest.h>

#include "copyproof/ssm_bounds/architecture_presets.hpp"

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
  CHECK(p.total_stored() == stored);
  CHECK(p.total_effective() == effective);
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
  check_totals("pythia-410m", 2LL * 24 * 1024, 2LL * 24 * 1024);
  check_totals("pythia-1.4b", 2LL * 24 * 2048, 2LL * 24 * 2048);
  check_totals("pythia-2.8b", 2LL * 32 * 2560, 2LL * 32 * 2560);
  CHECK(preset("pythia-410m").state_numbers(1000, true) == 2LL * 24 * 1024 * 1002);
  CHECK(preset("mamba-130m").state_numbers(1000, true) == 24LL * 1536 * 19);  // fixed: no L
}

TEST_CASE("builders from flags") {
  BuilderSizes s;
  s.d_model = 512;
  s.layers = 2;
  CHECK(find_architecture("lstm", s)->total_effective() == 2 * 2 * 512);
  CHECK(find_architecture("gru", s)->total_effective() == 2 * 512);
  s.heads = 8;
  CHECK(find_architecture("linear-attention", s)->total_effective() == 2 * (8 * 64 * 64 + 512));
  s.d_state = 64;
  CHECK(find_architecture("s4d", s)->total_effective() == 2 * 512 * 64);
  CHECK_THROWS_AS(find_architecture("s4d", BuilderSizes{512, 2, std::nullopt, std::nullopt}), std::invalid_argument);
  CHECK_FALSE(find_architecture("no-such-model", s));
}

TEST_CASE("every published preset is listed with a source and a cache dtype") {
  CHECK(published_presets().size() == 23);
  for (const auto& p : published_presets()) {
    CAPTURE(p.name);
    CHECK_FALSE(p.source.empty());
    CHECK_FALSE(p.cache_dtype.empty());
    CHECK(p.total_effective() <= p.total_stored());
    CHECK(architecture_names().find(p.name) != std::string::npos);
  }
}
