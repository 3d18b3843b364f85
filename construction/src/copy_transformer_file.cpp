#include "copyproof/construction/copy_transformer_file.hpp"

#include <nlohmann/json.hpp>

#include <sstream>
#include <string_view>

#include "copyproof/common/json_integer.hpp"
#include "copyproof/construction/certificate.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/transformer_file.hpp"

namespace copyproof::construction {

CopyDerivation copy_derivation(const CopyTransformer& ct) {
  const CopyParameters& p = ct.parameters;
  CopyDerivation d;
  d.alphabet = p.alphabet;
  d.ngram = p.ngram;
  d.max_length = p.max_length;
  for (Token t = 0; t < ct.vocab.size(); ++t) d.vocabulary.push_back(token_name(t, ct.vocab));
  d.slices = ct.layout.slices();
  d.code_bits = p.code_bits;
  d.lambda = p.lambda;
  d.alpha = p.alpha;
  d.beta = p.beta;
  d.bos_penalty = p.bos_penalty;
  d.layer1_error_bound = p.layer1_error_bound;
  d.lambda_scale = p.lambda_scale;
  return d;
}

SafetensorsFile copy_transformer_to_safetensors(const CopyTransformer& ct) {
  SafetensorsFile file = transformer_to_safetensors(ct.model);
  const CopyDerivation d = copy_derivation(ct);
  std::string vocabulary;
  for (const std::string& name : d.vocabulary) vocabulary += (vocabulary.empty() ? "" : " ") + name;
  nlohmann::json slices = nlohmann::json::array();
  for (const Slice& s : d.slices) slices.push_back({{"name", s.name}, {"offset", s.offset}, {"width", s.width}});
  file.metadata["alphabet"] = std::to_string(d.alphabet);
  file.metadata["ngram"] = std::to_string(d.ngram);
  file.metadata["max_length"] = std::to_string(d.max_length);
  file.metadata["vocabulary"] = vocabulary;
  file.metadata["slices"] = slices.dump();
  file.metadata["parameters"] = nlohmann::json{
      {"lambda", d.lambda},
      {"alpha", d.alpha},
      {"beta", d.beta},
      {"bos_penalty", d.bos_penalty},
      {"layer1_error_bound", d.layer1_error_bound},
      {"lambda_scale", d.lambda_scale},
      {"code_bits", d.code_bits}}.dump();
  return file;
}

void write_copy_transformer(const std::string& path, const CopyTransformer& ct) {
  write_safetensors(path, copy_transformer_to_safetensors(ct));
}

namespace {

const std::string& metadata_text(const SafetensorsFile& file, const std::string& key) {
  const auto it = file.metadata.find(key);
  if (it == file.metadata.end()) throw SafetensorsError("metadata lacks \"" + key + "\"");
  return it->second;
}

// A decimal integer in [lo, hi], the whole string; refused (naming the key) otherwise.
std::int64_t metadata_integer(const SafetensorsFile& file, const std::string& key, std::int64_t lo, std::int64_t hi) {
  const std::string& text = metadata_text(file, key);
  std::optional<std::int64_t> value;
  try {
    value = json_integer<std::int64_t>(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception&) {}
  if (!value || *value < lo || *value > hi || text.find_first_not_of("0123456789") != std::string::npos)
    throw SafetensorsError("metadata \"" + key + "\" is '" + text.substr(0, 40) + "', not an integer in [" +
                           std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return *value;
}

nlohmann::json metadata_json(const SafetensorsFile& file, const std::string& key) {
  try {
    return nlohmann::json::parse(metadata_text(file, key));
  } catch (const nlohmann::json::exception&) {
    throw SafetensorsError("metadata \"" + key + "\" is not JSON");
  }
}

}  // namespace

bool has_copy_derivation(const SafetensorsFile& file) { return file.metadata.count("alphabet") != 0; }

CopyDerivation read_copy_derivation(const SafetensorsFile& file) {
  CopyDerivation d;
  d.alphabet = static_cast<int>(metadata_integer(file, "alphabet", 2, kMaxAlphabet));
  d.ngram = static_cast<int>(metadata_integer(file, "ngram", 1, kMaxDModel));
  d.max_length = metadata_integer(file, "max_length", 1, kMaxCertifiedLength);
  std::istringstream names(metadata_text(file, "vocabulary"));
  for (std::string name; names >> name;) d.vocabulary.push_back(name);
  const nlohmann::json slices = metadata_json(file, "slices");
  const nlohmann::json parameters = metadata_json(file, "parameters");
  try {
    for (const auto& s : slices) {
      const auto offset = json_integer<int>(s.at("offset")), width = json_integer<int>(s.at("width"));
      if (!offset || !width) throw SafetensorsError("metadata \"slices\" has an offset or width that is not an int");
      d.slices.push_back(Slice{s.at("name").get<std::string>(), *offset, *width});
    }
  } catch (const nlohmann::json::exception&) {
    throw SafetensorsError("metadata \"slices\" is corrupt");
  }
  try {
    const auto bits = json_integer<int>(parameters.at("code_bits"));
    if (!bits) throw SafetensorsError("metadata \"parameters\" has a code_bits that is not an int");
    d.code_bits = *bits;
    d.lambda = parameters.at("lambda").get<double>();
    d.alpha = parameters.at("alpha").get<double>();
    d.beta = parameters.at("beta").get<double>();
    d.bos_penalty = parameters.at("bos_penalty").get<double>();
    d.layer1_error_bound = parameters.at("layer1_error_bound").get<double>();
    d.lambda_scale = parameters.at("lambda_scale").get<double>();
  } catch (const nlohmann::json::exception&) {
    throw SafetensorsError("metadata \"parameters\" is corrupt");
  }
  return d;
}

}  // namespace copyproof::construction
