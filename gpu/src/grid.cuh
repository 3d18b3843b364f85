#pragma once
// Launch shapes and precondition checks shared by the element-wise kernels' launchers.

#include <stdexcept>
#include <string>

namespace copyproof::gpu {

inline constexpr int kThreadsPerBlock = 256;
inline constexpr long long kMaxGridBlocks = 2147483647LL;  // gridDim.x limit (sm_30 and later)

// Blocks of kThreadsPerBlock covering `work` threads; throws when the grid would be too large.
inline unsigned int blocks_for(long long work, const char* kernel) {
  const long long blocks = (work + kThreadsPerBlock - 1) / kThreadsPerBlock;
  if (blocks > kMaxGridBlocks) throw std::invalid_argument(std::string(kernel) + ": grid over 2^31 - 1 blocks");
  return static_cast<unsigned int>(blocks);
}

// Throws std::invalid_argument("<kernel>: <what>") unless ok: a launcher's precondition.
inline void require(bool ok, const char* kernel, const std::string& what) {
  if (!ok) throw std::invalid_argument(std::string(kernel) + ": " + what);
}

}  // namespace copyproof::gpu
