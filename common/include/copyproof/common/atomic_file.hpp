#pragma once
// Writing a file so that a reader never sees half of it: the bytes go to a temporary name
// beside the target ("<path>.tmp.<pid>", same directory, so the rename stays on one file
// system) and are renamed over the target only when every byte was written. An interrupted
// run leaves the old file (or none), never a truncated one. Every writer of a result file
// (safetensors, certificates, figures' CSV and scripts) goes through this one definition.

#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>

namespace copyproof {

// The temporary could not be written, or not renamed into place; what() is one line
// naming the file. The temporary is removed before this is thrown.
struct FileWriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The temporary name beside `path` that this process writes to.
std::string temporary_path_for(const std::string& path);

// Renames the finished `temporary` over `path`; removes `temporary` and throws
// FileWriteError if that fails. For files another program wrote (gnuplot's PNG and SVG).
void rename_into_place(const std::string& temporary, const std::string& path);

// Streams write(out) into the temporary (binary) and renames it into place.
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// `contents` to `path`, atomically.
void write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace copyproof
