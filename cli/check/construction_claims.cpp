#include "check/claim.hpp"

namespace copyproof::cli {

std::vector<Claim> construction_claims() { return {}; }

}  // namespace copyproof::cli
