#pragma once
// What a preset is and what its state allows, as one JSON object with one set of keys
// (docs/cli.md), for `bound --list-presets`, `bound --preset` and the Python module.

#include <optional>

#include <nlohmann/json.hpp>

#include "copyproof/ssm_bounds/architecture_presets.hpp"

namespace copyproof::ssm_bounds {

// L*: the longest copy length at which error <= 1/2 is still possible (Theorem 2.7) for
// the preset's fixed state at its native number formats over its own vocabulary;
// nullopt when the state grows with L (Theorem 2.7 does not apply).
std::optional<cpp_int> native_max_length_half(const ArchitecturePreset& p);

// The preset itself: name, config, source, components, fixed part, growth per token,
// native formats and L*.
nlohmann::json preset_json(const ArchitecturePreset& p);

// The preset's state at copy length L, every number at `bits_per_number` bits or at its
// native format when absent: preset_json(p) plus state_numbers_*, state_bits, number_format.
nlohmann::json preset_state_json(const ArchitecturePreset& p, const cpp_int& length,
                                 std::optional<int> bits_per_number);

}  // namespace copyproof::ssm_bounds
