#pragma once
// Tensors in the safetensors format (an 8-byte little-endian header length, a JSON header
// naming each tensor's dtype, shape and byte range, a "__metadata__" map of strings, then
// the raw little-endian data), so Python users can open what copyproof writes with
// `safetensors.numpy.load_file`. Files are written to a temporary name and renamed.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace copyproof {

// A missing, unreadable, truncated or corrupt file; what() is one line.
struct SafetensorsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Tensor {
  std::string dtype;                 // "F32", "F64", "I32", "I64"
  std::vector<std::int64_t> shape;   // row-major
  std::vector<unsigned char> bytes;  // shape's product times the dtype's size

  template <class T>
  static Tensor of(const std::vector<std::int64_t>& shape, const T* data);
  template <class T>
  std::vector<T> values() const;  // throws SafetensorsError on a dtype mismatch
};

struct SafetensorsFile {
  std::map<std::string, std::string> metadata;
  std::map<std::string, Tensor> tensors;
};

// Bytes per element of a dtype name; throws SafetensorsError for names we do not read.
std::size_t dtype_size(const std::string& dtype);

// Writes `file` atomically (atomic_file.hpp: a temporary beside `path`, then a rename), so
// an interrupted run never leaves a half file. Throws SafetensorsError when writing fails.
void write_safetensors(const std::string& path, const SafetensorsFile& file);

// Reads and checks every tensor's dtype, shape and byte range against the file's size.
SafetensorsFile read_safetensors(const std::string& path);
// The same on a file's bytes already in memory; `path` only names it in error messages.
SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& path);

}  // namespace copyproof
