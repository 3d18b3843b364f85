#pragma once
// Checkpoints in the safetensors format (8-byte little-endian header length, a JSON header
// naming each tensor's dtype, shape and byte range, then the raw float32 data), so Python
// users can open them with `safetensors.numpy.load_file`. The model configuration and the
// training settings are in the header's "__metadata__" (string values, as the format asks).

#include <copyproof/trained/network.hpp>
#include <copyproof/trained/tasks.hpp>

#include "copyproof/common/safetensors.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace copyproof::trained {

struct CheckpointMeta {
  ModelConfig config;
  Task task = Task::copy;
  int min_length = 0, max_length = 0, ngram = 0;
  int steps = 0, batch = 0;
  double lr = 0;
  std::uint64_t seed = 0;
  // Letters drawn from the first `alphabet` (tasks.hpp). Optional on load: a checkpoint
  // written before --alphabet existed has no "alphabet" key and was trained on all 26.
  int alphabet = kDefaultAlphabet;
};

struct Checkpoint {
  CheckpointMeta meta;
  Buffer<float> params;  // in the layout of make_network(meta.config)
};

// A missing, unreadable, truncated, corrupt or mismatched checkpoint; what() is one line.
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes to "<path>.tmp.<pid>" then renames over path: an interrupted run leaves no half file.
// Throws CheckpointError when the file cannot be written.
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Reads and validates every tensor against the layout its metadata describes.
Checkpoint load_checkpoint(const std::string& path);
// The same on a file already parsed (the fuzz target feeds it bytes from memory); `path`
// only names it in error messages.
Checkpoint checkpoint_from_safetensors(const SafetensorsFile& file, const std::string& path);

}  // namespace copyproof::trained
