#include "trained_options.hpp"

#include "cli_support.hpp"

namespace copyproof::cli {

nlohmann::json describe_model(const trained::Network<float>& net) {
  using trained::ModelKind;
  const auto& c = net.config();
  nlohmann::json config = {{"layers", c.layers}, {"width", c.width}};
  if (c.kind == ModelKind::transformer) {
    config["heads"] = c.heads;
    config["pos"] = trained::to_string(c.pos);
    config["windows"] = c.windows;
  }
  if (c.kind == ModelKind::mamba) config["state_dim"] = c.state_dim;
  nlohmann::json j = {{"model", trained::to_string(c.kind)},
                      {"params", net.parameter_count()},
                      {"bits_per_number", 32},
                      {"config", config}};
  if (c.kind == ModelKind::transformer) {
    j["state_numbers"] = nullptr;
    j["kv_numbers_per_token"] = net.state_numbers(1);
  } else {
    j["state_numbers"] = net.state_numbers(0);
  }
  return j;
}

}  // namespace copyproof::cli
