#pragma once
// What --version prints and the header of every file `copyproof figures` writes names.

namespace copyproof::cli {

inline constexpr const char* kVersion = "copyproof 0.1.0";

}  // namespace copyproof::cli
