#include "copyproof/construction/layer1_reference.hpp"

#include <algorithm>
#include <vector>

#include "copyproof/construction/codes.hpp"

namespace copyproof::construction {

Eigen::MatrixXd exact_layer1_stream(const Vocabulary& vocab, const ResidualLayout& layout,
                                    std::span<const Token> sequence) {
  const auto len = static_cast<std::int64_t>(sequence.size());
  const int b = layout.code_bits(), n = layout.ngram();
  auto symbol = [&](std::int64_t p) { return code_symbol(vocab, sequence[static_cast<std::size_t>(p)]); };

  // last_separator[i]: the last separator position <= i, or -1.
  std::vector<std::int64_t> last_separator(static_cast<std::size_t>(len));
  for (std::int64_t i = 0, last = -1; i < len; ++i) {
    if (vocab.is_separator(sequence[static_cast<std::size_t>(i)])) last = i;
    last_separator[static_cast<std::size_t>(i)] = last;
  }
  // The code a window [first, last] gathers: SEP if it holds a separator, else its oldest symbol.
  auto gathered = [&](std::int64_t first, std::int64_t last) {
    return last_separator[static_cast<std::size_t>(last)] >= first ? vocab.alphabet : symbol(first);
  };

  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(len, layout.d_model());
  auto put = [&](std::int64_t row, const Slice& s, int code) {
    x.block(row, s.offset, 1, b) = code_vector(code, b).transpose();
  };
  for (std::int64_t i = 0; i < len; ++i) {
    const Token t = sequence[static_cast<std::size_t>(i)];
    put(i, layout.tok(), symbol(i));
    for (int m = 1; m < n; ++m) put(i, layout.query(m), gathered(std::max<std::int64_t>(0, i - m), i));
    for (int m = 1; m <= n; ++m)
      if (i > 0) put(i, layout.key(m), gathered(std::max<std::int64_t>(0, i - m), i - 1));
    x(i, layout.sep().offset) = vocab.is_separator(t) ? 1.0 : 0.0;
    x(i, layout.bos().offset) = t == vocab.bos() ? 1.0 : 0.0;
    x(i, layout.one().offset) = 1.0;
  }
  return x;
}

}  // namespace copyproof::construction
