#pragma once
// Central finite differences in float64 against a hand-written backward.
//
// Tolerance, one reason: with step h = 1e-5, the central difference's truncation error is
// ~h^2 |f'''| ~ 1e-10 and its rounding error ~ eps |f| / h ~ 1e-11, so a correct backward
// agrees to relative 1e-6 with room to spare, while a wrong formula is off by O(1).

#include <copyproof/common/random.hpp>
#include <copyproof/trained/tensor.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace copyproof::trained::test {

inline constexpr double kStep = 1e-5;
inline constexpr double kRelTol = 1e-6;
inline constexpr double kAbsTol = 1e-9;  // entries whose true gradient is ~0: rounding only

struct Blob {
  std::string name;
  double* data;
  std::size_t size;
  const double* grad;  // the analytic gradient, same size
};

// Largest normalized mismatch |a - n| / (kRelTol * max(|a|, |n|) + kAbsTol) over every entry
// of every blob: <= 1 passes. loss() recomputes the scalar from the blobs' current values.
inline double gradcheck(const std::vector<Blob>& blobs, const std::function<double()>& loss,
                        std::string* worst = nullptr) {
  double worst_ratio = 0;
  for (const Blob& b : blobs) {
    for (std::size_t i = 0; i < b.size; ++i) {
      const double saved = b.data[i];
      b.data[i] = saved + kStep;
      const double up = loss();
      b.data[i] = saved - kStep;
      const double down = loss();
      b.data[i] = saved;
      const double numeric = (up - down) / (2 * kStep);
      const double analytic = b.grad[i];
      const double ratio =
          std::fabs(analytic - numeric) / (kRelTol * std::max(std::fabs(analytic), std::fabs(numeric)) + kAbsTol);
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        if (worst)
          *worst = b.name + "[" + std::to_string(i) + "] analytic " + std::to_string(analytic) + " numeric " +
                   std::to_string(numeric);
      }
    }
  }
  return worst_ratio;
}

inline Matrix<double> random_matrix(Eigen::Index rows, Eigen::Index cols, Rng& rng, double scale = 1.0) {
  Matrix<double> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * rng.normal();
  return m;
}

// Projection of an output onto fixed random weights: a scalar whose gradient w.r.t. the
// output is those weights, so one backward with dout = R checks the whole Jacobian direction.
inline double project(const Matrix<double>& out, const Matrix<double>& R) { return out.cwiseProduct(R).sum(); }

#define COPYPROOF_CHECK_GRADIENTS(blobs, loss)                      \
  do {                                                              \
    std::string worst_;                                             \
    const double ratio_ = gradcheck(blobs, loss, &worst_);          \
    INFO("worst entry: " << worst_ << " (ratio " << ratio_ << ")"); \
    CHECK(ratio_ <= 1.0);                                           \
  } while (0)

}  // namespace copyproof::trained::test
