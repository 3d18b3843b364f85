#pragma once
// The reports of `copyproof bound` besides the single query: the length table (GSSM
// state bits next to the transformer's size) and the preset list.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "copyproof/ssm_bounds/exact_numbers.hpp"
#include "copyproof/ssm_bounds/transformer_side.hpp"

namespace copyproof::cli {

struct BoundTableRequest {
  int alphabet = 2;
  std::vector<ssm_bounds::cpp_int> lengths;
  ssm_bounds::cpp_rational epsilon;
  std::string epsilon_text;
  bool json = false;
};

int print_bound_table(const BoundTableRequest& request);
// The transformer side's JSON keys (docs/cli.md), shared by the single query and the table.
nlohmann::json transformer_side_json(const ssm_bounds::TransformerSide& side);
int print_preset_list(bool json);

}  // namespace copyproof::cli
