#include "copyproof/construction/codes.hpp"

#include <stdexcept>

namespace copyproof::construction {

int code_bits(int alphabet) {
  if (alphabet < 1) throw std::invalid_argument("code_bits: alphabet must be >= 1");
  int bits = 0;
  while ((std::int64_t{1} << bits) < std::int64_t{alphabet} + 1) ++bits;
  return bits;
}

int code_symbol(const Vocabulary& vocab, Token token) { return vocab.is_letter(token) ? token : cut_symbol(vocab); }

Eigen::VectorXd code_vector(int symbol, int bits) {
  Eigen::VectorXd c(bits);
  for (int bit = 0; bit < bits; ++bit) c(bit) = code_sign(symbol, bit);
  return c;
}

}  // namespace copyproof::construction
