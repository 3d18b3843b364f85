#pragma once
// json_integer lives in the library (the Python module writes the same JSON); the CLI
// keeps its short name.

#include "copyproof/ssm_bounds/exact_json.hpp"

namespace copyproof::cli {
using ssm_bounds::json_integer;
}  // namespace copyproof::cli
