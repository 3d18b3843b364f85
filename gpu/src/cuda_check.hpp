#pragma once
// CUDA error checks and an owning device buffer. Every CUDA call and every launch is
// checked; an error becomes a std::runtime_error naming the call and the place.

#include <cuda_runtime.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace copyproof::gpu {

inline void cuda_check(cudaError_t status, const char* what, const char* file, int line) {
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("CUDA error in ") + what + " (" + file + ":" + std::to_string(line) +
                             "): " + cudaGetErrorString(status));
}

#define COPYPROOF_CUDA(call) ::copyproof::gpu::cuda_check((call), #call, __FILE__, __LINE__)
#define COPYPROOF_LAUNCHED(kernel_name) \
  ::copyproof::gpu::cuda_check(cudaGetLastError(), "launch of " kernel_name, __FILE__, __LINE__)

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) : count_(count) {
    if (count > 0) COPYPROOF_CUDA(cudaMalloc(&data_, count * sizeof(T)));
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept : data_(other.data_), count_(other.count_) {
    other.data_ = nullptr;
    other.count_ = 0;
  }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(count_, other.count_);
    return *this;
  }
  ~DeviceBuffer() {
    if (data_) cudaFree(data_);
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return count_; }

  void upload(const T* host, std::size_t count) {
    if (count > count_) throw std::logic_error("DeviceBuffer::upload: too many elements");
    COPYPROOF_CUDA(cudaMemcpy(data_, host, count * sizeof(T), cudaMemcpyHostToDevice));
  }
  void download(T* host, std::size_t count) const {
    if (count > count_) throw std::logic_error("DeviceBuffer::download: too many elements");
    COPYPROOF_CUDA(cudaMemcpy(host, data_, count * sizeof(T), cudaMemcpyDeviceToHost));
  }
  void fill_zero() {
    if (count_ > 0) COPYPROOF_CUDA(cudaMemset(data_, 0, count_ * sizeof(T)));
  }

 private:
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

// A CUDA event owned like a buffer: destroyed on every path out, exceptions included.
class CudaEvent {
 public:
  CudaEvent() { COPYPROOF_CUDA(cudaEventCreate(&event_)); }
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  ~CudaEvent() {
    if (event_) cudaEventDestroy(event_);
  }
  void record() { COPYPROOF_CUDA(cudaEventRecord(event_)); }
  // Seconds from `start` to this event, waiting for this one to complete.
  double seconds_since(const CudaEvent& start) const {
    COPYPROOF_CUDA(cudaEventSynchronize(event_));
    float ms = 0;
    COPYPROOF_CUDA(cudaEventElapsedTime(&ms, start.event_, event_));
    return ms / 1000.0;
  }

 private:
  cudaEvent_t event_ = nullptr;
};

template <class T>
DeviceBuffer<T> to_device(const std::vector<T>& host) {
  DeviceBuffer<T> d(host.size());
  d.upload(host.data(), host.size());
  return d;
}

}  // namespace copyproof::gpu
