// Fuzz target: a checkpoint of `copyproof train` (safetensors with the model's config in
// "__metadata__") read back through the loader `eval` uses, which checks every tensor
// against the layout the metadata describes. Any input must give a checkpoint whose
// parameters fill that layout, or throw CheckpointError.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "copyproof/common/safetensors.hpp"
#include "copyproof/trained/checkpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  copyproof::SafetensorsFile file;
  try {
    file = copyproof::parse_safetensors(bytes, "input");
  } catch (const copyproof::SafetensorsError&) {
    return 0;
  }
  try {
    const auto ck = copyproof::trained::checkpoint_from_safetensors(file, "input");
    const auto net = copyproof::trained::make_network<float>(ck.meta.config);
    if (ck.params.size() != net->parameter_count()) std::abort();  // the loader's promise
  } catch (const copyproof::trained::CheckpointError&) {}
  return 0;
}
