// Fuzz target: every JSON text copyproof reads back, fed the same fuzzed text in each place
// a JSON document enters (the bytes of a real file around it stay valid, so the fuzzer
// spends its time inside the JSON readers rather than on length fields):
//   1. the safetensors header (weights and checkpoints), with no data after it;
//   2. the "heads" metadata string of a `construct --weights` file (a real D=2, n=1 model,
//      tests/fuzz/corpus/fuzz_weights/seed-w-D2-n1-L4.safetensors);
//   3. the "__metadata__" of a `train` checkpoint (a real one-layer transformer's tensors),
//      when the text is an object of strings, as the format requires.
// The study result files `figures` and `study --summary` read have their own target,
// fuzz_results_json.

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "copyproof/common/safetensors.hpp"
#include "copyproof/construction/transformer_file.hpp"
#include "copyproof/trained/checkpoint.hpp"

namespace {

namespace cx = copyproof::construction;
namespace tr = copyproof::trained;
using copyproof::SafetensorsError;
using copyproof::SafetensorsFile;

// A real `construct -D 2 -n 1 -L 4 --weights` file, committed as fuzz_weights' seed (read
// rather than built, so the libFuzzer build need not compile the construction).
const SafetensorsFile& real_weights() {
  static const SafetensorsFile file = copyproof::read_safetensors(COPYPROOF_FUZZ_WEIGHTS_SEED);
  return file;
}

// The tensors of a one-layer, width-4 transformer checkpoint (values are zeros: only
// their names, dtypes and shapes matter to the reader).
const SafetensorsFile& real_checkpoint_tensors() {
  static const SafetensorsFile file = [] {
    tr::ModelConfig config;
    config.kind = tr::ModelKind::transformer;
    config.vocab = tr::kVocab;
    config.layers = 1;
    config.width = 4;
    config.heads = 1;
    const auto net = tr::make_network<float>(config);
    SafetensorsFile f;
    for (const tr::SlotInfo& s : net->layout().slots()) {
      const std::vector<std::int64_t> shape =
          s.vector ? std::vector<std::int64_t>{s.slot.cols} : std::vector<std::int64_t>{s.slot.rows, s.slot.cols};
      const std::vector<float> zeros(s.slot.size(), 0.0f);
      f.tensors[s.name] = copyproof::Tensor::of<float>(shape, zeros.data());
    }
    return f;
  }();
  return file;
}

void as_safetensors_header(std::string_view text) {
  std::string bytes(8, '\0');
  const std::uint64_t length = text.size();
  std::memcpy(bytes.data(), &length, 8);
  bytes.append(text);
  try {
    const SafetensorsFile file = copyproof::parse_safetensors(bytes, "input");
    try {
      (void)cx::transformer_from_safetensors(file);
    } catch (const SafetensorsError&) {}
    try {
      (void)tr::checkpoint_from_safetensors(file, "input");
    } catch (const tr::CheckpointError&) {}
  } catch (const SafetensorsError&) {}
}

void as_heads_metadata(std::string_view text) {
  SafetensorsFile file = real_weights();
  file.metadata["heads"] = std::string(text);
  try {
    cx::transformer_from_safetensors(file).validate();
  } catch (const SafetensorsError&) {}
}

void as_checkpoint_metadata(std::string_view text) {
  const nlohmann::json meta = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!meta.is_object()) return;
  SafetensorsFile file = real_checkpoint_tensors();
  for (const auto& [key, value] : meta.items()) {
    if (!value.is_string()) return;  // the format's metadata holds strings only
    file.metadata[key] = value.get<std::string>();
  }
  try {
    (void)tr::checkpoint_from_safetensors(file, "input");
  } catch (const tr::CheckpointError&) {}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  as_safetensors_header(text);
  as_heads_metadata(text);
  as_checkpoint_metadata(text);
  return 0;
}
