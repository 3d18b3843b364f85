// Lemma 2.4's two bounds on p_ngram, exact and as logarithms.

#include <stdexcept>

#include "copyproof/ssm_bounds/ngram_probability.hpp"

namespace copyproof::ssm_bounds {
namespace {

cpp_int alphabet_power(const NgramQuery& q) {
  if (!lemma_bound_written_out(q))
    throw std::invalid_argument("lemma bound: D^n too large to write out; use the log2 form");
  return power(cpp_int(q.alphabet), static_cast<std::uint64_t>(q.ngram));
}

Log2Number log2_alphabet_power(const NgramQuery& q) { return Log2Number::log2_of(cpp_int(q.alphabet)).times(q.ngram); }

}  // namespace

bool lemma_bound_written_out(const NgramQuery& q) {
  return static_cast<std::uint64_t>(q.ngram) * kMaxLetterBits <= kExactWriteOutBits;
}

cpp_int ngram_pairs(const NgramQuery& q) { return pairs(cpp_int(q.length) - q.ngram + 1); }

Log2Number log2_lemma_bound_pairs(const NgramQuery& q) {
  return Log2Number::log2_of(ngram_pairs(q)) - log2_alphabet_power(q);
}

Log2Number log2_lemma_bound_paper(const NgramQuery& q) {
  return Log2Number::log2_of(cpp_int(q.length)).times(2) - log2_alphabet_power(q);
}

cpp_rational lemma_bound_pairs(const NgramQuery& q) { return cpp_rational(ngram_pairs(q), alphabet_power(q)); }

cpp_rational lemma_bound_paper(const NgramQuery& q) {
  const cpp_int length = q.length;
  return cpp_rational(length * length, alphabet_power(q));
}

}  // namespace copyproof::ssm_bounds
