// Built when no CUDA compiler was found: the GPU path says so instead of existing.
#include <stdexcept>

#include "copyproof/gpu/gpu_backend.hpp"

namespace copyproof::gpu {

std::string unavailable_reason() { return "this copyproof was built without CUDA (no nvcc found at configure time)"; }

void check_supported(const construction::CopyTransformer&) { throw std::runtime_error(unavailable_reason()); }

std::uint64_t device_memory_needed(const construction::CopyTransformer&, std::int64_t, std::int64_t) { return 0; }
std::uint64_t device_memory_free() { return 0; }

std::unique_ptr<construction::CopyForwardBackend> make_gpu_backend(const construction::CopyTransformer&,
                                                                   const GpuOptions&) {
  throw std::runtime_error(unavailable_reason());
}

}  // namespace copyproof::gpu
