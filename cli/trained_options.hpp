#pragma once
// What `train` and `eval` share: parsing comma-separated integer lists and the JSON
// description of a model's size and state.

#include <copyproof/trained/network.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace copyproof::cli {

// "10,20,40" -> {10, 20, 40}; each item an integer in [lo, hi], else UsageError naming flag.
std::vector<int> parse_integer_list(const std::string& text, const std::string& flag, int lo, int hi);

// {"model", "params", "state_numbers" (null for the transformer: its KV cache grows),
//  "kv_numbers_per_token" (transformer only), "bits_per_number": 32, "config": {...}}
nlohmann::json describe_model(const trained::Network<float>& net);

}  // namespace copyproof::cli
