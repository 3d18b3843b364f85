#pragma once
// What `train` and `eval` share: parsing comma-separated integer lists and the JSON
// description of a model's size and state.

#include <copyproof/trained/network.hpp>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

#include <string>
#include <vector>

namespace copyproof::cli {

// parse_integer_list ("10,20,40") lives in cli_support.hpp.

// {"model", "params", "state_numbers" (null for the transformer: its KV cache grows),
//  "kv_numbers_per_token" (transformer only), "bits_per_number": 32, "config": {...}}
nlohmann::json describe_model(const trained::Network<float>& net);

}  // namespace copyproof::cli
