#pragma once
// The copy transformer on an NVIDIA GPU (Hopper, sm_90): the same weights and forward as
// the CPU path, layer 1 in float32 and layer 2 with exact integer scores on int8 tensor
// cores, softmax by levels (docs/gpu.md). It plugs into the verifier as a
// CopyForwardBackend, so `copyproof verify --device gpu` reports the same JSON.

#include <cstdint>
#include <memory>
#include <string>

#include "copyproof/construction/copy_forward.hpp"
#include "copyproof/construction/verify_plan.hpp"

namespace copyproof::gpu {

// Empty when a CUDA device can run the kernels; otherwise one line saying why not
// (built without CUDA, no device, wrong architecture).
std::string unavailable_reason();

// Device memory the GPU forward holds at its peak for `positions` tokens and `outputs`
// predictions, and the device memory free now (0 without a usable GPU).
std::uint64_t device_memory_needed(const construction::CopyTransformer& model, std::int64_t positions,
                                   std::int64_t outputs);
std::uint64_t device_memory_free();

// Throws std::invalid_argument when the model is outside what the kernels support:
// non-last layers must be banded (<= 64 keys, d_v <= 32); last-layer heads need an integer
// promise, no position slope, d_k <= 128 and d_v <= 8 (the copy transformer: n b + 1 <= 128
// and D <= 255).
void check_supported(const construction::CopyTransformer& model);

// Layer 2 goes to the device in chunks of whole blocks of query rows, all queued at once,
// so that a long run can report progress as each chunk finishes (a block reads its key
// range off its own rows: chunks compute exactly what one launch does). Each chunk holds at
// least min_chunk_blocks blocks (fewer chunks than that leave the card's tail idle: one
// chunk of 128 blocks per launch cost B(2,20) 2.5x in layer 2 on an H200) and there are at
// most max_chunks. Tests lower min_chunk_blocks to run many chunks at small lengths.
struct GpuOptions {
  long long min_chunk_blocks = 8192;  // about 60 blocks per SM of an H200's 132
  long long max_chunks = 32;
};

// Also throws std::runtime_error on CUDA errors and without a usable GPU.
std::unique_ptr<construction::CopyForwardBackend> make_gpu_backend(const construction::CopyTransformer& model,
                                                                   const GpuOptions& options = {});

// The GPU as construction::plan_verify sees it: the functions above, and the free device
// memory now (verify --device gpu plans with it in one call).
construction::VerifyDevice verify_device();

}  // namespace copyproof::gpu
