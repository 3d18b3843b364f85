#pragma once
// The row-major Eigen types every area uses for activations and weights: row i is position
// (or example) i, so a block of positions is a contiguous block of rows. construction/
// (RowMatrix) and trained/ (Matrix) name these for their own code; this is the one
// definition. Eigen's default is column-major: spelling the storage order once keeps a
// matrix passed between areas from silently changing layout (or being copied).

#include <Eigen/Core>

namespace copyproof {

template <class Scalar>
using RowMajorMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class Scalar>
using RowMajorArray = Eigen::Array<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class Scalar>
using ColumnVector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

}  // namespace copyproof
