#include "copyproof/construction/transformer_file.hpp"

#include <nlohmann/json.hpp>

#include "copyproof/common/json_integer.hpp"
#include "copyproof/common/row_major.hpp"

namespace copyproof::construction {
namespace {

Tensor matrix_tensor(const Eigen::MatrixXd& m) {
  const RowMajorMatrix<double> row_major = m;
  return Tensor::of<double>({m.rows(), m.cols()}, row_major.data());
}

Eigen::MatrixXd tensor_matrix(const SafetensorsFile& file, const std::string& name) {
  const auto it = file.tensors.find(name);
  if (it == file.tensors.end()) throw SafetensorsError("tensor '" + name + "' is missing");
  const Tensor& t = it->second;
  if (t.shape.size() != 2) throw SafetensorsError("tensor '" + name + "' is not a matrix");
  const std::vector<double> v = t.values<double>();
  return Eigen::Map<const RowMajorMatrix<double>>(v.data(), t.shape[0], t.shape[1]);
}

std::string head_prefix(std::size_t layer, std::size_t head) {
  return "layers." + std::to_string(layer) + ".heads." + std::to_string(head) + ".";
}

}  // namespace

SafetensorsFile transformer_to_safetensors(const Transformer& model) {
  model.validate();
  SafetensorsFile file;
  file.tensors["embedding"] = matrix_tensor(model.embedding);
  file.tensors["unembedding"] = matrix_tensor(model.unembedding);
  nlohmann::json heads = nlohmann::json::array();
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    nlohmann::json layer = nlohmann::json::array();
    for (std::size_t h = 0; h < model.layers[l].heads.size(); ++h) {
      const AttentionHead& head = model.layers[l].heads[h];
      const std::string prefix = head_prefix(l, h);
      file.tensors[prefix + "query"] = matrix_tensor(head.query);
      file.tensors[prefix + "key"] = matrix_tensor(head.key);
      file.tensors[prefix + "value"] = matrix_tensor(head.value);
      file.tensors[prefix + "output"] = matrix_tensor(head.output);
      layer.push_back({{"name", head.name},
                       {"window_lo", head.window.lo},
                       {"window_hi", head.window.bounded() ? nlohmann::json(head.window.hi) : nlohmann::json(nullptr)},
                       {"position_slope", head.position_slope},
                       {"integer_score_unit", head.integer_score_unit}});
    }
    heads.push_back(layer);
  }
  file.metadata["format"] = kTransformerFormat;
  file.metadata["heads"] = heads.dump();
  return file;
}

namespace {
std::int64_t window_bound(const nlohmann::json& v) {
  const auto x = json_integer<std::int64_t>(v);
  if (!x) throw SafetensorsError("metadata \"heads\" has a window bound that is not a 64-bit integer");
  return *x;
}
}  // namespace

Transformer transformer_from_safetensors(const SafetensorsFile& file) {
  const auto format = file.metadata.find("format");
  if (format == file.metadata.end() || format->second != kTransformerFormat)
    throw SafetensorsError(std::string("not a ") + kTransformerFormat + " file");
  const auto heads_text = file.metadata.find("heads");
  if (heads_text == file.metadata.end()) throw SafetensorsError("metadata lacks \"heads\"");
  Transformer model;
  model.embedding = tensor_matrix(file, "embedding");
  model.unembedding = tensor_matrix(file, "unembedding");
  try {
    const nlohmann::json heads = nlohmann::json::parse(heads_text->second);
    for (std::size_t l = 0; l < heads.size(); ++l) {
      TransformerLayer layer;
      for (std::size_t h = 0; h < heads[l].size(); ++h) {
        const auto& meta = heads[l][h];
        const std::string prefix = head_prefix(l, h);
        AttentionHead head;
        head.name = meta.at("name").get<std::string>();
        head.query = tensor_matrix(file, prefix + "query");
        head.key = tensor_matrix(file, prefix + "key");
        head.value = tensor_matrix(file, prefix + "value");
        head.output = tensor_matrix(file, prefix + "output");
        // Integers checked before conversion (json_integer.hpp; fuzz_json_readers found a
        // window_lo of 1.0e41, a float-to-int conversion out of range).
        head.window.lo = window_bound(meta.at("window_lo"));
        if (!meta.at("window_hi").is_null()) head.window.hi = window_bound(meta.at("window_hi"));
        head.position_slope = meta.at("position_slope").get<double>();
        head.integer_score_unit = meta.at("integer_score_unit").get<double>();
        layer.heads.push_back(std::move(head));
      }
      model.layers.push_back(std::move(layer));
    }
  } catch (const nlohmann::json::exception&) {
    throw SafetensorsError("metadata \"heads\" is corrupt");
  }
  try {
    model.validate();
  } catch (const std::invalid_argument& e) {
    throw SafetensorsError(std::string("shapes disagree: ") + e.what());
  }
  return model;
}

}  // namespace copyproof::construction
