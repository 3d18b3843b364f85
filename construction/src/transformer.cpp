#include "copyproof/construction/transformer.hpp"

#include <stdexcept>

namespace copyproof::construction {

void Transformer::validate() const {
  const auto d = embedding.rows();
  auto fail = [](const std::string& what) { throw std::invalid_argument("Transformer: " + what); };
  if (d < 1 || embedding.cols() < 1) fail("empty embedding");
  if (unembedding.cols() != d || unembedding.rows() != embedding.cols()) fail("unembedding must be (vocab, d_model)");
  if (layers.empty()) fail("no layers");
  for (const auto& layer : layers) {
    if (layer.heads.empty()) fail("a layer without heads");
    for (const auto& h : layer.heads) {
      const std::string where = "head '" + h.name + "': ";
      if (h.query.cols() != d || h.key.cols() != d || h.value.cols() != d)
        fail(where + "projections must read d_model");
      if (h.query.rows() != h.key.rows() || h.query.rows() < 1) fail(where + "query and key widths differ");
      if (h.output.rows() != d || h.output.cols() != h.value.rows()) fail(where + "output must be (d_model, d_v)");
      if (h.window.lo < 0 || h.window.hi < h.window.lo) fail(where + "window needs 0 <= lo <= hi");
    }
  }
}

std::int64_t Transformer::parameter_count() const {
  std::int64_t count = embedding.size() + unembedding.size();
  for (const auto& layer : layers)
    for (const auto& h : layer.heads) count += h.query.size() + h.key.size() + h.value.size() + h.output.size() + 1;
  return count;
}

std::int64_t Transformer::nonzero_parameter_count() const {
  auto nz = [](const Eigen::MatrixXd& m) { return static_cast<std::int64_t>((m.array() != 0.0).count()); };
  std::int64_t count = nz(embedding) + nz(unembedding);
  for (const auto& layer : layers)
    for (const auto& h : layer.heads)
      count += nz(h.query) + nz(h.key) + nz(h.value) + nz(h.output) + (h.position_slope != 0.0 ? 1 : 0);
  return count;
}

}  // namespace copyproof::construction
