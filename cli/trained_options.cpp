#include "trained_options.hpp"

#include "cli_support.hpp"

namespace copyproof::cli {

std::vector<int> parse_integer_list(const std::string& text, const std::string& flag, int lo, int hi) {
  std::vector<int> values;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    const auto v = parse_integer(item);
    if (!v || *v < lo || *v > hi)
      throw UsageError(flag + ": '" + item + "' is not an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                       "] (give a comma-separated list)");
    values.push_back(static_cast<int>(*v));
    pos = comma + 1;
  }
  return values;
}

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
