// The GPU described for the verify planner; built with and without CUDA (it calls only the
// public functions of gpu_backend.hpp, which the stub also defines).

#include "copyproof/gpu/gpu_backend.hpp"

namespace copyproof::gpu {

construction::VerifyDevice verify_device() {
  construction::VerifyDevice device;
  device.name = "gpu";
  device.unavailable_reason = unavailable_reason();
  device.check_supported = check_supported;
  device.memory_needed = device_memory_needed;
  device.memory_free = device.unavailable_reason.empty() ? device_memory_free() : 0;
  // A lambda, not the function itself: make_gpu_backend may take options with defaults.
  device.make_backend = [](const construction::CopyTransformer& model) { return make_gpu_backend(model); };
  return device;
}

}  // namespace copyproof::gpu
