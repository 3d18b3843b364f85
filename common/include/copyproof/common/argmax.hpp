#pragma once
// The argmax rule, once, for the construction's forward and the trained models' greedy
// decoding: the index of the largest entry, the lowest index among ties (so a tie is
// decided the same way everywhere, and the decision does not depend on the thread count).
// Eigen's maxCoeff(&index) scans in index order and keeps the first maximum it meets.
// Header-only and Eigen-agnostic: `row` is any Eigen row or vector expression.

#include <cstddef>

namespace copyproof::common {

template <class Row>
std::ptrdiff_t argmax_lowest_index(const Row& row) {
  std::ptrdiff_t best = 0;
  row.maxCoeff(&best);
  return best;
}

}  // namespace copyproof::common
