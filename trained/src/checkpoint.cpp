#include <copyproof/trained/checkpoint.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>

#include "copyproof/common/safetensors.hpp"

namespace copyproof::trained {

namespace {

constexpr const char* kFormat = "copyproof-trained-1";

nlohmann::json meta_to_json(const CheckpointMeta& m) {
  std::string windows;
  for (std::size_t i = 0; i < m.config.windows.size(); ++i)
    windows += (i ? "," : "") + std::to_string(m.config.windows[i]);
  return {{"format", kFormat},
          {"model", to_string(m.config.kind)},
          {"vocab", std::to_string(m.config.vocab)},
          {"layers", std::to_string(m.config.layers)},
          {"width", std::to_string(m.config.width)},
          {"heads", std::to_string(m.config.heads)},
          {"state_dim", std::to_string(m.config.state_dim)},
          {"pos", to_string(m.config.pos)},
          {"windows", windows},
          {"task", to_string(m.task)},
          {"min_length", std::to_string(m.min_length)},
          {"max_length", std::to_string(m.max_length)},
          {"ngram", std::to_string(m.ngram)},
          {"steps", std::to_string(m.steps)},
          {"batch", std::to_string(m.batch)},
          {"lr", std::to_string(m.lr)},
          {"seed", std::to_string(m.seed)},
          {"alphabet", std::to_string(m.alphabet)}};
}

std::string field(const nlohmann::json& meta, const char* key) {
  if (!meta.contains(key) || !meta[key].is_string())
    throw CheckpointError(std::string("metadata lacks \"") + key + "\"");
  return meta[key].get<std::string>();
}

long long int_field(const nlohmann::json& meta, const char* key, long long lo, long long hi) {
  const std::string text = field(meta, key);
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || v < lo || v > hi)
    throw CheckpointError(std::string("metadata \"") + key + "\" = '" + text + "' is not an integer in [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

CheckpointMeta meta_from_json(const nlohmann::json& j) {
  if (field(j, "format") != kFormat) throw CheckpointError("not a " + std::string(kFormat) + " checkpoint");
  CheckpointMeta m;
  if (!parse_model_kind(field(j, "model"), m.config.kind))
    throw CheckpointError("unknown model '" + field(j, "model") + "'");
  if (!parse_task(field(j, "task"), m.task)) throw CheckpointError("unknown task '" + field(j, "task") + "'");
  if (!parse_position(field(j, "pos"), m.config.pos)) throw CheckpointError("unknown pos '" + field(j, "pos") + "'");
  constexpr long long kBig = 1 << 20;
  m.config.vocab = static_cast<int>(int_field(j, "vocab", kVocab, kVocab));
  m.config.layers = static_cast<int>(int_field(j, "layers", 1, kMaxLayers));
  m.config.width = static_cast<int>(int_field(j, "width", 1, kMaxWidth));
  m.config.heads = static_cast<int>(int_field(j, "heads", 1, kMaxHeads));
  m.config.state_dim = static_cast<int>(int_field(j, "state_dim", 1, kMaxStateDim));
  m.min_length = static_cast<int>(int_field(j, "min_length", 1, kBig));
  m.max_length = static_cast<int>(int_field(j, "max_length", m.min_length, kBig));
  m.ngram = static_cast<int>(int_field(j, "ngram", 1, kBig));
  m.steps = static_cast<int>(int_field(j, "steps", 0, 1LL << 40));
  m.batch = static_cast<int>(int_field(j, "batch", 1, kBig));
  m.seed = static_cast<std::uint64_t>(int_field(j, "seed", 0, std::numeric_limits<long long>::max()));
  // Absent in checkpoints written before --alphabet: those were trained on all 26 letters.
  m.alphabet = j.contains("alphabet") ? static_cast<int>(int_field(j, "alphabet", kMinAlphabet, kMaxAlphabet))
                                      : kDefaultAlphabet;
  try {
    m.lr = std::stod(field(j, "lr"));
  } catch (const std::exception&) {
    throw CheckpointError("metadata \"lr\" is not a number");
  }
  const std::string windows = field(j, "windows");
  std::size_t pos = 0;
  while (pos < windows.size()) {
    const std::size_t comma = std::min(windows.find(',', pos), windows.size());
    const std::string item = windows.substr(pos, comma - pos);
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos || item.size() > 6)
      throw CheckpointError("metadata \"windows\" = '" + windows + "' is not a list of integers");
    m.config.windows.push_back(std::stoi(item));
    pos = comma + 1;
  }
  if (const std::string problem = config_problem(m.config); !problem.empty())
    throw CheckpointError("metadata: " + problem);
  return m;
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& ck) {
  const auto net = make_network<float>(ck.meta.config);
  if (ck.params.size() != net->parameter_count()) throw CheckpointError("parameter count does not match the config");
  SafetensorsFile file;
  const nlohmann::json meta = meta_to_json(ck.meta);
  for (const auto& [key, value] : meta.items()) file.metadata[key] = value.get<std::string>();
  for (const SlotInfo& s : net->layout().slots()) {
    const std::vector<std::int64_t> shape =
        s.vector ? std::vector<std::int64_t>{s.slot.cols} : std::vector<std::int64_t>{s.slot.rows, s.slot.cols};
    file.tensors[s.name] = Tensor::of<float>(shape, ck.params.data() + s.slot.offset);
  }
  try {
    write_safetensors(path, file);
  } catch (const SafetensorsError& e) {
    throw CheckpointError(e.what());
  }
}

Checkpoint load_checkpoint(const std::string& path) {
  SafetensorsFile file;
  try {
    file = read_safetensors(path);
  } catch (const SafetensorsError& e) {
    throw CheckpointError(e.what());
  }
  return checkpoint_from_safetensors(file, path);
}

Checkpoint checkpoint_from_safetensors(const SafetensorsFile& file, const std::string& path) {
  if (file.metadata.empty())
    throw CheckpointError("'" + path + "' has no __metadata__; not written by copyproof train");
  Checkpoint ck;
  try {
    ck.meta = meta_from_json(nlohmann::json(file.metadata));
  } catch (const CheckpointError& e) {
    throw CheckpointError("'" + path + "': " + e.what());
  }
  const auto net = make_network<float>(ck.meta.config);
  if (file.tensors.size() != net->layout().slots().size())
    throw CheckpointError("'" + path + "' has " + std::to_string(file.tensors.size()) + " tensors, its config needs " +
                          std::to_string(net->layout().slots().size()));
  // Every tensor is checked against the config before the parameters are allocated: the
  // metadata alone may claim a model of many gigabytes, the tensors' bytes are in the file.
  for (const SlotInfo& s : net->layout().slots()) {
    const std::string where = "'" + path + "' tensor " + s.name;
    const auto it = file.tensors.find(s.name);
    if (it == file.tensors.end()) throw CheckpointError(where + " is missing");
    const std::vector<std::int64_t> shape =
        s.vector ? std::vector<std::int64_t>{s.slot.cols} : std::vector<std::int64_t>{s.slot.rows, s.slot.cols};
    if (it->second.dtype != "F32") throw CheckpointError(where + " is not F32");
    if (it->second.shape != shape) throw CheckpointError(where + " has the wrong shape for the config");
  }
  ck.params.assign(net->parameter_count(), 0.0f);
  for (const SlotInfo& s : net->layout().slots()) {
    const Tensor& t = file.tensors.at(s.name);
    std::memcpy(ck.params.data() + s.slot.offset, t.bytes.data(), t.bytes.size());
  }
  for (float v : ck.params)
    if (!std::isfinite(v)) throw CheckpointError("'" + path + "' holds a non-finite parameter");
  return ck;
}

}  // namespace copyproof::trained
