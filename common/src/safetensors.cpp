#include "copyproof/common/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "copyproof/common/atomic_file.hpp"
#include "copyproof/common/json_integer.hpp"

namespace copyproof {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace {

constexpr std::uint64_t kMaxHeader = 100'000'000;  // the format's reference reader refuses larger headers too

template <class T>
constexpr const char* dtype_of() {
  if constexpr (std::is_same_v<T, float>)
    return "F32";
  else if constexpr (std::is_same_v<T, double>)
    return "F64";
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return "I32";
  else
    return "I64";
}

std::uint64_t element_count(const std::vector<std::int64_t>& shape) {
  std::uint64_t n = 1;
  for (auto s : shape) n *= static_cast<std::uint64_t>(s);
  return n;
}

// Bytes a tensor of this shape holds, or nothing when the product overflows 64 bits (a
// header can claim [2^32, 2^32]: wrapped, that is 0 bytes and would match empty data).
std::optional<std::uint64_t> checked_byte_count(const std::vector<std::int64_t>& shape, std::uint64_t element_size) {
  std::uint64_t n = element_size;
  for (auto s : shape)
    if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(s), &n)) return std::nullopt;
  return n;
}

}  // namespace

std::size_t dtype_size(const std::string& dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F64" || dtype == "I64") return 8;
  throw SafetensorsError("unsupported dtype '" + dtype + "'");
}

template <class T>
Tensor Tensor::of(const std::vector<std::int64_t>& shape, const T* data) {
  Tensor t;
  t.dtype = dtype_of<T>();
  t.shape = shape;
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  t.bytes.assign(p, p + element_count(shape) * sizeof(T));
  return t;
}

template <class T>
std::vector<T> Tensor::values() const {
  if (dtype != dtype_of<T>()) throw SafetensorsError("tensor is " + dtype + ", not " + dtype_of<T>());
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

template Tensor Tensor::of<float>(const std::vector<std::int64_t>&, const float*);
template Tensor Tensor::of<double>(const std::vector<std::int64_t>&, const double*);
template Tensor Tensor::of<std::int32_t>(const std::vector<std::int64_t>&, const std::int32_t*);
template Tensor Tensor::of<std::int64_t>(const std::vector<std::int64_t>&, const std::int64_t*);
template std::vector<float> Tensor::values<float>() const;
template std::vector<double> Tensor::values<double>() const;
template std::vector<std::int32_t> Tensor::values<std::int32_t>() const;
template std::vector<std::int64_t> Tensor::values<std::int64_t>() const;

void write_safetensors(const std::string& path, const SafetensorsFile& file) {
  nlohmann::json header;
  header["__metadata__"] = file.metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, t] : file.tensors) {
    if (t.bytes.size() != element_count(t.shape) * dtype_size(t.dtype))
      throw SafetensorsError("tensor '" + name + "': " + std::to_string(t.bytes.size()) +
                             " bytes do not fit its shape");
    header[name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the format pads the header with spaces to 8 bytes
  const std::uint64_t length = text.size();
  try {
    write_atomically(path, [&](std::ostream& out) {
      out.write(reinterpret_cast<const char*>(&length), sizeof length);
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
      for (const auto& [name, t] : file.tensors)
        out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
    });
  } catch (const FileWriteError& e) {
    throw SafetensorsError(e.what());  // callers of the safetensors functions catch one type
  }
}

SafetensorsFile read_safetensors(const std::string& path) {
  // A directory opens as a stream on Linux and reports a size of 2^63 - 1: refuse it first.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw SafetensorsError("'" + path + "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw SafetensorsError("cannot open '" + path + "'");
  const auto end = in.tellg();
  if (end < 0) throw SafetensorsError("cannot read '" + path + "' (not a regular file?)");
  std::string bytes(static_cast<std::size_t>(end), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw SafetensorsError("cannot read '" + path + "'");
  return parse_safetensors(bytes, path);
}

namespace {
// A JSON list of integers that fit T, else SafetensorsError(`error`) (json_integer.hpp:
// found by fuzz_weights, a shape entry of 7.8e25 was converted by undefined behaviour).
template <typename T>
std::vector<T> integer_list(const nlohmann::json& list, const std::string& error) {
  if (!list.is_array()) throw SafetensorsError(error);
  std::vector<T> out;
  out.reserve(list.size());
  for (const auto& v : list) {
    const auto x = json_integer<T>(v);
    if (!x) throw SafetensorsError(error);
    out.push_back(*x);
  }
  return out;
}
}  // namespace

SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& path) {
  const std::uint64_t file_size = bytes.size();
  std::uint64_t header_length = 0;
  if (file_size < 8) throw SafetensorsError("'" + path + "' is truncated (no header length)");
  std::memcpy(&header_length, bytes.data(), 8);
  if (header_length > kMaxHeader || header_length > file_size - 8)
    throw SafetensorsError("'" + path + "' is truncated or corrupt (header length " + std::to_string(header_length) +
                           ", " + std::to_string(file_size - 8) + " bytes left)");
  const std::string_view text = bytes.substr(8, header_length);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw SafetensorsError("'" + path + "' has a corrupt header (not JSON)");
  }
  if (!header.is_object()) throw SafetensorsError("'" + path + "' has a corrupt header (not an object)");
  const std::uint64_t data_size = file_size - 8 - header_length;
  const std::string_view data = bytes.substr(8 + header_length);

  SafetensorsFile file;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [name, entry] : header.items()) {
    const std::string where = "'" + path + "' tensor '" + name + "'";
    try {
      if (name == "__metadata__") {
        for (const auto& [key, value] : entry.items()) file.metadata[key] = value.get<std::string>();
        continue;
      }
      Tensor t;
      t.dtype = entry.at("dtype").get<std::string>();
      t.shape = integer_list<std::int64_t>(entry.at("shape"), where + " has a shape that is not a list of integers");
      const auto offsets =
          integer_list<std::uint64_t>(entry.at("data_offsets"), where + " has data_offsets that are not two integers");
      for (auto s : t.shape)
        if (s < 0) throw SafetensorsError(where + " has a negative dimension");
      const auto bytes_needed = checked_byte_count(t.shape, dtype_size(t.dtype));
      if (!bytes_needed) throw SafetensorsError(where + " has a shape whose size overflows 64 bits");
      if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size ||
          offsets[1] - offsets[0] != *bytes_needed)
        throw SafetensorsError(where + " has data_offsets that do not fit its shape or the file");
      const auto* first = reinterpret_cast<const unsigned char*>(data.data()) + offsets[0];
      t.bytes.assign(first, first + (offsets[1] - offsets[0]));
      ranges.emplace_back(offsets[0], offsets[1]);
      file.tensors.emplace(name, std::move(t));
    } catch (const nlohmann::json::exception&) {
      throw SafetensorsError(where + " has a corrupt entry");
    }
  }
  // As the format requires, the tensors tile the data exactly: no gap, no overlap, no tail.
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t covered = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin != covered) throw SafetensorsError("'" + path + "' has tensors that overlap or leave a gap in the data");
    covered = end;
  }
  if (covered != data_size)
    throw SafetensorsError("'" + path + "' has " + std::to_string(data_size - covered) + " bytes past its last tensor");
  return file;
}

}  // namespace copyproof
