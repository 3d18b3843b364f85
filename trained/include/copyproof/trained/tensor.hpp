#pragma once
// Storage conventions shared by every layer of trained/.
//
// Matrices are row-major Eigen matrices: a batch of B sequences of T positions with C
// features is one (B*T, C) matrix, row b*T + t. Layers are templates on the scalar type:
// float for training, double for the finite-difference gradient checks.
//
// THE GRADIENT RULE (written once, followed by every *_backward in trained/):
//   every backward ADDS (+=) into each gradient it writes, parameter or activation.
//   Whoever owns a gradient buffer zeroes it once before the backward pass that fills it.
// Adding everywhere makes residual branches and weights used at several positions
// (embeddings, recurrent matrices) correct without special cases.
//
// Parameters of a model live in ONE flat buffer; a ParameterLayout names its tensors
// (Slot = offset + shape) and the gradients use the same layout in a second buffer.

#include <Eigen/Core>
#include <Eigen/StdVector>
#include <copyproof/common/row_major.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace copyproof::trained {

template <class T>
using Matrix = RowMajorMatrix<T>;  // common/row_major.hpp
template <class T>
using Vector = ColumnVector<T>;
// A view of a matrix or of a block of its columns (unit inner stride, any row stride).
template <class T>
using MatRef = Eigen::Ref<Matrix<T>>;
template <class T>
using ConstMatRef = Eigen::Ref<const Matrix<T>>;

// Parameter and gradient buffers. Aligned to Eigen's packet size so that every reduction
// over a view into them (which Eigen starts with scalar steps up to the first aligned
// address) adds in the same order in every run: with a plain std::vector the heap address
// decided the rounding, and two runs of the same seed drifted apart.
template <class T>
using Buffer = std::vector<T, Eigen::aligned_allocator<T>>;

// One named tensor inside a flat parameter buffer. Vectors have rows == 1.
struct Slot {
  std::size_t offset = 0;
  int rows = 0;
  int cols = 0;
  std::size_t size() const { return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols); }
};

struct SlotInfo {
  std::string name;
  Slot slot;
  bool vector = false;  // stored on disk with shape [cols]
  bool decay = false;   // AdamW weight decay applies (weight matrices only, not norms, biases, A_log)
};

// Hands out consecutive slots of one buffer, remembering their names for checkpoints.
class ParameterLayout {
 public:
  Slot matrix(const std::string& name, int rows, int cols, bool decay = true) {
    return add(name, rows, cols, false, decay);
  }
  Slot vector(const std::string& name, int n) { return add(name, 1, n, true, false); }
  std::size_t size() const { return size_; }
  const std::vector<SlotInfo>& slots() const { return slots_; }

 private:
  Slot add(const std::string& name, int rows, int cols, bool is_vector, bool decay) {
    Slot s{size_, rows, cols};
    size_ += s.size();
    slots_.push_back({name, s, is_vector, decay});
    return s;
  }
  std::size_t size_ = 0;
  std::vector<SlotInfo> slots_;
};

template <class T>
Eigen::Map<Matrix<T>> at(T* base, Slot s) {
  return Eigen::Map<Matrix<T>>(base + s.offset, s.rows, s.cols);
}
template <class T>
Eigen::Map<const Matrix<T>> at(const T* base, Slot s) {
  return Eigen::Map<const Matrix<T>>(base + s.offset, s.rows, s.cols);
}

}  // namespace copyproof::trained
