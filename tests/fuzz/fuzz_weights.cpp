// Fuzz target: a weights file of `construct --weights` (safetensors: header length,
// JSON header, data) read back through the loader that validates the model. Any input
// must either give a Transformer that passes validate() or throw SafetensorsError; a
// crash, a sanitizer report, an over-large allocation or another exception is a finding.

#include <cstdint>
#include <string_view>

#include "copyproof/common/safetensors.hpp"
#include "copyproof/construction/transformer_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const copyproof::SafetensorsFile file = copyproof::parse_safetensors(bytes, "input");
    const copyproof::construction::Transformer model = copyproof::construction::transformer_from_safetensors(file);
    model.validate();  // what the loader returns must be a model its users can run
  } catch (const copyproof::SafetensorsError&) {
    // refused with a message: the expected outcome for malformed input
  }
  return 0;
}
