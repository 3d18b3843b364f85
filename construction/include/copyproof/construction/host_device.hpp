#pragma once
// COPYPROOF_HOST_DEVICE marks a function the CPU code and the CUDA kernels both call
// (level_softmax.hpp, window_keys.hpp, gpu/include/...): __host__ __device__ under nvcc,
// nothing elsewhere. Defined here once.

#if defined(__CUDACC__)
#define COPYPROOF_HOST_DEVICE __host__ __device__
#else
#define COPYPROOF_HOST_DEVICE
#endif
