#include "copyproof/ssm_bounds/preset_report.hpp"

#include "copyproof/ssm_bounds/copy_error_bound.hpp"
#include "copyproof/ssm_bounds/exact_json.hpp"
#include "copyproof/ssm_bounds/state_size.hpp"

namespace copyproof::ssm_bounds {

std::optional<cpp_int> native_max_length_half(const ArchitecturePreset& p) {
  if (!p.fixed_state()) return std::nullopt;
  const StateSize size = state_of_bits(cpp_rational(p.fixed_bits(std::nullopt)));
  return max_copy_length(size, p.vocabulary, cpp_rational(1, 2));
}

nlohmann::json preset_json(const ArchitecturePreset& p) {
  nlohmann::json components = nlohmann::json::array();
  for (const auto& c : p.components)
    components.push_back({{"what", c.what},
                          {"layers", c.layers},
                          {"stored_per_layer", c.per_layer.stored},
                          {"effective_per_layer", c.per_layer.effective},
                          {"grows_per_token", c.growth == StateGrowth::per_token},
                          {"native_bits", c.native_bits}});
  const std::optional<cpp_int> l_star = native_max_length_half(p);
  const std::optional<int> native = p.uniform_native_bits();
  return {{"preset", p.name},
          {"family", p.family},
          {"config", p.config},
          {"source", p.source},
          {"cache_dtype", p.cache_dtype},
          {"vocabulary", p.vocabulary},
          {"layers", p.layers},
          {"components", components},
          {"fixed_state", p.fixed_state()},
          {"fixed_numbers_stored", json_integer(p.fixed_numbers(false))},
          {"fixed_numbers_effective", json_integer(p.fixed_numbers(true))},
          {"growth_per_token_stored", json_integer(p.growth_per_token(false))},
          {"growth_per_token_effective", json_integer(p.growth_per_token(true))},
          {"native_bits_per_number", native ? nlohmann::json(*native) : nlohmann::json("mixed")},
          {"native_fixed_bits", json_integer(p.fixed_bits(std::nullopt))},
          {"native_max_length_half", l_star ? json_integer(*l_star) : nlohmann::json(nullptr)}};
}

nlohmann::json preset_state_json(const ArchitecturePreset& p, const cpp_int& length,
                                 std::optional<int> bits_per_number) {
  nlohmann::json j = preset_json(p);
  j["state_numbers_stored"] = json_integer(p.state_numbers(length, false));
  j["state_numbers_effective"] = json_integer(p.state_numbers(length, true));
  j["state_bits"] = json_integer(p.state_bits(length, bits_per_number));
  const std::optional<int> bits = bits_per_number ? bits_per_number : p.uniform_native_bits();
  j["bits_per_number"] = bits ? nlohmann::json(*bits) : nlohmann::json("mixed");
  j["number_format"] = bits_per_number ? "--bits-per-number" : "native";
  return j;
}

}  // namespace copyproof::ssm_bounds
