#include "copyproof/construction/residual_labels.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "copyproof/construction/forward.hpp"

namespace copyproof::construction {

std::vector<SliceReading> read_residual_row(const CopyTransformer& ct, std::span<const double> row) {
  if (static_cast<int>(row.size()) != ct.layout.d_model()) throw std::invalid_argument("read_residual_row: row width");
  std::vector<SliceReading> readings;
  for (const Slice& s : ct.layout.slices()) {
    SliceReading r{s.name, s.width == ct.layout.code_bits() && s.width > 1, -1, 0.0};
    if (!r.code) {
      r.value = row[static_cast<std::size_t>(s.offset)];
    } else {
      int symbol = 0;
      double weakest = INFINITY;
      bool all_zero = true;
      for (int bit = 0; bit < s.width; ++bit) {
        const double v = row[static_cast<std::size_t>(s.offset + bit)];
        all_zero = all_zero && v == 0.0;
        weakest = std::min(weakest, std::fabs(v));
        if (v > 0) symbol |= 1 << bit;  // code_sign: bit set <=> +1
      }
      r.symbol = all_zero ? -1 : symbol;
      r.value = weakest;
    }
    readings.push_back(std::move(r));
  }
  return readings;
}

std::vector<SliceReading> counterexample_residual(const CopyTransformer& ct, std::span<const Token> input,
                                                  std::int64_t output_index) {
  const std::vector<Token> sequence = teacher_forced_sequence(ct.vocab, input);
  const auto length = static_cast<std::int64_t>(input.size());
  if (static_cast<std::int64_t>(sequence.size()) > kMaxLabelledSequence || output_index < 0 || output_index > length)
    return {};
  const std::int64_t position = length + 1 + output_index;  // copy_output_positions
  const TypedTransformer<double> model(ct.model);
  const ForwardResult<double> result = forward(model, sequence, std::span<const std::int64_t>(&position, 1), {});
  return read_residual_row(ct, std::span<const double>(result.output_stream.data(), result.output_stream.cols()));
}

}  // namespace copyproof::construction
