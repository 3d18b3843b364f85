#include <copyproof/trained/checkpoint.hpp>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

namespace copyproof::trained {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace {

constexpr const char* kFormat = "copyproof-trained-1";
constexpr std::uint64_t kMaxHeader = 100'000'000;  // the safetensors reference refuses larger headers too

nlohmann::json meta_to_json(const CheckpointMeta& m) {
  std::string windows;
  for (std::size_t i = 0; i < m.config.windows.size(); ++i) windows += (i ? "," : "") + std::to_string(m.config.windows[i]);
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
          {"seed", std::to_string(m.seed)}};
}

std::string field(const nlohmann::json& meta, const char* key) {
  if (!meta.contains(key) || !meta[key].is_string()) throw CheckpointError(std::string("metadata lacks \"") + key + "\"");
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
  if (!parse_model_kind(field(j, "model"), m.config.kind)) throw CheckpointError("unknown model '" + field(j, "model") + "'");
  if (!parse_task(field(j, "task"), m.task)) throw CheckpointError("unknown task '" + field(j, "task") + "'");
  if (!parse_position(field(j, "pos"), m.config.pos)) throw CheckpointError("unknown pos '" + field(j, "pos") + "'");
  constexpr long long kBig = 1 << 20;
  m.config.vocab = static_cast<int>(int_field(j, "vocab", kVocab, kVocab));
  m.config.layers = static_cast<int>(int_field(j, "layers", 1, 64));
  m.config.width = static_cast<int>(int_field(j, "width", 1, 4096));
  m.config.heads = static_cast<int>(int_field(j, "heads", 1, 4096));
  m.config.state_dim = static_cast<int>(int_field(j, "state_dim", 1, 4096));
  m.min_length = static_cast<int>(int_field(j, "min_length", 1, kBig));
  m.max_length = static_cast<int>(int_field(j, "max_length", m.min_length, kBig));
  m.ngram = static_cast<int>(int_field(j, "ngram", 1, kBig));
  m.steps = static_cast<int>(int_field(j, "steps", 0, 1LL << 40));
  m.batch = static_cast<int>(int_field(j, "batch", 1, kBig));
  m.seed = static_cast<std::uint64_t>(int_field(j, "seed", 0, std::numeric_limits<long long>::max()));
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
  if (const std::string problem = config_problem(m.config); !problem.empty()) throw CheckpointError("metadata: " + problem);
  return m;
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& ck) {
  const auto net = make_network<float>(ck.meta.config);
  if (ck.params.size() != net->parameter_count()) throw CheckpointError("parameter count does not match the config");
  nlohmann::json header;
  header["__metadata__"] = meta_to_json(ck.meta);
  for (const SlotInfo& s : net->layout().slots()) {
    const std::vector<int> shape = s.vector ? std::vector<int>{s.slot.cols} : std::vector<int>{s.slot.rows, s.slot.cols};
    header[s.name] = {{"dtype", "F32"},
                      {"shape", shape},
                      {"data_offsets", {s.slot.offset * sizeof(float), (s.slot.offset + s.slot.size()) * sizeof(float)}}};
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the format pads the header with spaces to 8 bytes
  const std::uint64_t length = text.size();
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(&length), sizeof length);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.write(reinterpret_cast<const char*>(ck.params.data()), static_cast<std::streamsize>(ck.params.size() * sizeof(float)));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw CheckpointError("cannot write '" + tmp + "'");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw CheckpointError("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(errno));
  }
}

Checkpoint load_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw CheckpointError("cannot open '" + path + "'");
  const auto file_size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  std::uint64_t header_length = 0;
  if (file_size < 8 || !in.read(reinterpret_cast<char*>(&header_length), 8))
    throw CheckpointError("'" + path + "' is truncated (no header length)");
  if (header_length > kMaxHeader || header_length > file_size - 8)
    throw CheckpointError("'" + path + "' is truncated or corrupt (header length " + std::to_string(header_length) +
                          " > " + std::to_string(file_size - 8) + " bytes left)");
  std::string text(header_length, '\0');
  in.read(text.data(), static_cast<std::streamsize>(header_length));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw CheckpointError("'" + path + "' has a corrupt header (not JSON)");
  }
  if (!header.is_object() || !header.contains("__metadata__") || !header["__metadata__"].is_object())
    throw CheckpointError("'" + path + "' has no __metadata__; not written by copyproof train");

  Checkpoint ck;
  try {
    ck.meta = meta_from_json(header["__metadata__"]);
  } catch (const CheckpointError& e) {
    throw CheckpointError("'" + path + "': " + e.what());
  }
  const auto net = make_network<float>(ck.meta.config);
  const std::uint64_t data_size = file_size - 8 - header_length;
  const std::uint64_t expected = net->parameter_count() * sizeof(float);
  if (data_size != expected)
    throw CheckpointError("'" + path + "' holds " + std::to_string(data_size) + " data bytes, its config needs " +
                          std::to_string(expected) + " (truncated or mismatched)");
  std::vector<char> data(data_size);
  if (!in.read(data.data(), static_cast<std::streamsize>(data_size))) throw CheckpointError("'" + path + "' is truncated");

  ck.params.assign(net->parameter_count(), 0.0f);
  if (header.size() != net->layout().slots().size() + 1)
    throw CheckpointError("'" + path + "' has " + std::to_string(header.size() - 1) + " tensors, its config needs " +
                          std::to_string(net->layout().slots().size()));
  for (const SlotInfo& s : net->layout().slots()) {
    const std::string where = "'" + path + "' tensor " + s.name;
    if (!header.contains(s.name)) throw CheckpointError(where + " is missing");
    const auto& t = header[s.name];
    const std::vector<int> shape = s.vector ? std::vector<int>{s.slot.cols} : std::vector<int>{s.slot.rows, s.slot.cols};
    try {
      if (t.at("dtype") != "F32") throw CheckpointError(where + " is not F32");
      if (t.at("shape").get<std::vector<int>>() != shape) throw CheckpointError(where + " has the wrong shape for the config");
      const auto offsets = t.at("data_offsets").get<std::vector<std::uint64_t>>();
      if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size ||
          offsets[1] - offsets[0] != s.slot.size() * sizeof(float))
        throw CheckpointError(where + " has bad data_offsets");
      std::memcpy(ck.params.data() + s.slot.offset, data.data() + offsets[0], offsets[1] - offsets[0]);
    } catch (const nlohmann::json::exception&) {
      throw CheckpointError(where + " has a corrupt entry");
    }
  }
  for (float v : ck.params)
    if (!std::isfinite(v)) throw CheckpointError("'" + path + "' holds a non-finite parameter");
  return ck;
}

}  // namespace copyproof::trained
