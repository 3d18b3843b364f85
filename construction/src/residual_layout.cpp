#include "copyproof/construction/residual_layout.hpp"

#include <stdexcept>

namespace copyproof::construction {

ResidualLayout::ResidualLayout(int code_bits, int ngram) : code_bits_(code_bits), ngram_(ngram) {
  if (code_bits < 1 || ngram < 1) throw std::invalid_argument("ResidualLayout: code_bits and ngram must be >= 1");
  auto add = [this](std::string name, int width) {
    slices_.push_back(Slice{std::move(name), d_model_, width});
    d_model_ += width;
  };
  add("tok", code_bits);
  for (int m = 1; m < ngram; ++m) add("q" + std::to_string(m), code_bits);
  for (int m = 1; m <= ngram; ++m) add("k" + std::to_string(m), code_bits);
  add("out", code_bits);
  add("sep", 1);
  add("bos", 1);
  add("one", 1);
  if (d_model_ != residual_width(code_bits, ngram)) throw std::logic_error("ResidualLayout: width formula out of date");
}

const Slice& ResidualLayout::query(int m) const {
  if (m < 1 || m >= ngram_) throw std::out_of_range("ResidualLayout::query: m must be in [1, n-1]");
  return slices_[static_cast<std::size_t>(m)];
}

const Slice& ResidualLayout::key(int m) const {
  if (m < 1 || m > ngram_) throw std::out_of_range("ResidualLayout::key: m must be in [1, n]");
  return slices_[static_cast<std::size_t>(ngram_ - 1 + m)];
}

const Slice& ResidualLayout::out() const { return slices_[static_cast<std::size_t>(2 * ngram_)]; }
const Slice& ResidualLayout::sep() const { return slices_[static_cast<std::size_t>(2 * ngram_ + 1)]; }
const Slice& ResidualLayout::bos() const { return slices_[static_cast<std::size_t>(2 * ngram_ + 2)]; }
const Slice& ResidualLayout::one() const { return slices_[static_cast<std::size_t>(2 * ngram_ + 3)]; }

const Slice& ResidualLayout::named(std::string_view name) const {
  for (const auto& s : slices_)
    if (s.name == name) return s;
  throw std::out_of_range("ResidualLayout: no slice named " + std::string(name));
}

}  // namespace copyproof::construction
