#include "copyproof/construction/layer1_reference.hpp"

#include <algorithm>
#include <cmath>

#include "copyproof/common/row_major.hpp"
#include "copyproof/construction/codes.hpp"

namespace copyproof::construction {

ExactLayer1::ExactLayer1(const Vocabulary& vocab, const ResidualLayout& layout, std::span<const Token> sequence)
    : vocab_(vocab), layout_(layout), sequence_(sequence), last_separator_(sequence.size()) {
  std::int64_t last = -1;
  for (std::size_t i = 0; i < sequence.size(); ++i) {
    if (vocab.is_separator(sequence[i])) last = static_cast<std::int64_t>(i);
    last_separator_[i] = last;
  }
}

void ExactLayer1::row(std::int64_t i, double* row) const {
  const int b = layout_.code_bits(), n = layout_.ngram();
  auto symbol = [&](std::int64_t p) { return code_symbol(vocab_, sequence_[static_cast<std::size_t>(p)]); };
  // The code a window [first, last] gathers: CUT if it holds a separator, else its oldest symbol.
  auto gathered = [&](std::int64_t first, std::int64_t last) {
    return last_separator_[static_cast<std::size_t>(last)] >= first ? vocab_.alphabet : symbol(first);
  };
  auto put = [&](const Slice& s, int code) {
    for (int bit = 0; bit < b; ++bit) row[s.offset + bit] = code_sign(code, bit);
  };
  std::fill(row, row + layout_.d_model(), 0.0);
  const Token t = sequence_[static_cast<std::size_t>(i)];
  put(layout_.tok(), symbol(i));
  for (int m = 1; m < n; ++m) put(layout_.query(m), gathered(std::max<std::int64_t>(0, i - m), i));
  for (int m = 1; m <= n; ++m)
    if (i > 0) put(layout_.key(m), gathered(std::max<std::int64_t>(0, i - m), i - 1));
  row[layout_.sep().offset] = vocab_.is_separator(t) ? 1.0 : 0.0;
  row[layout_.bos().offset] = t == vocab_.bos() ? 1.0 : 0.0;
  row[layout_.one().offset] = 1.0;
}

Eigen::MatrixXd ExactLayer1::stream() const {
  RowMajorMatrix<double> x(positions(), layout_.d_model());
  for (std::int64_t i = 0; i < positions(); ++i) row(i, x.row(i).data());
  return x;
}

template <class Scalar>
double ExactLayer1::max_deviation(const Scalar* computed, int threads) const {
  return max_deviation_rows(computed, 0, positions(), threads);
}

template <class Scalar>
double ExactLayer1::max_deviation_rows(const Scalar* computed, std::int64_t first, std::int64_t count,
                                       int threads) const {
  const int d = layout_.d_model();
  double worst = 0;
#pragma omp parallel num_threads(std::max(threads, 1)) reduction(max : worst)
  {
    std::vector<double> exact(static_cast<std::size_t>(d));
#pragma omp for schedule(static)
    for (std::int64_t k = 0; k < count; ++k) {
      const std::int64_t i = first + k;
      row(i, exact.data());
      const Scalar* got = computed + k * d;
      for (int c = 0; c < d; ++c)
        worst = std::max(worst, std::fabs(static_cast<double>(got[c]) - exact[static_cast<std::size_t>(c)]));
    }
  }
  return worst;
}

template double ExactLayer1::max_deviation<float>(const float*, int) const;
template double ExactLayer1::max_deviation<double>(const double*, int) const;
template double ExactLayer1::max_deviation_rows<float>(const float*, std::int64_t, std::int64_t, int) const;
template double ExactLayer1::max_deviation_rows<double>(const double*, std::int64_t, std::int64_t, int) const;

}  // namespace copyproof::construction
