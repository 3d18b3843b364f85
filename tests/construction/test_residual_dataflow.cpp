// Residual labels (residual_dataflow.hpp, residual_labels.hpp): the copy transformer's
// declared slice flow holds when it is built, the check fires on each way a model can
// break it, and the stream reads back by slice name.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "copyproof/construction/codes.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/layer1_reference.hpp"
#include "copyproof/construction/residual_dataflow.hpp"
#include "copyproof/construction/residual_labels.hpp"

using namespace copyproof::construction;

namespace {

// The message check_residual_dataflow throws, or "" when it passes.
std::string dataflow_error(const Transformer& model, const ResidualLayout& layout, const ResidualDataflow& flow) {
  try {
    check_residual_dataflow(model, layout, flow);
  } catch (const std::logic_error& e) {
    return e.what();
  }
  return "";
}

bool mentions(const std::string& text, const std::string& a, const std::string& b) {
  return text.find(a) != std::string::npos && text.find(b) != std::string::npos;
}

}  // namespace

TEST_CASE("residual dataflow: the built model keeps its declaration") {
  for (auto [D, n] : {std::pair{2, 1}, {2, 4}, {5, 3}, {26, 2}}) {
    const CopyTransformer ct = build_copy_transformer(D, n, 64);  // the build runs the check too
    CHECK(dataflow_error(ct.model, ct.layout, copy_transformer_dataflow(ct.layout)).empty());
  }
  // Layer 2 reads the n-gram pairs in order: tok with k1, q_m with k_{m+1}, one with bos.
  const ResidualLayout layout(3, 4);
  const auto pairs = induction_match_pairs(layout);
  REQUIRE(pairs.size() == 5);
  CHECK(pairs[0].query->name == "tok");
  CHECK(pairs[0].key->name == "k1");
  CHECK(pairs[3].query->name == "q3");
  CHECK(pairs[3].key->name == "k4");
  CHECK(pairs[4].query->name == "one");
  CHECK(pairs[4].key->name == "bos");
}

TEST_CASE("residual dataflow: the check fires on a weight outside its declaration") {
  const CopyTransformer ct = build_copy_transformer(3, 3, 64);
  const ResidualDataflow flow = copy_transformer_dataflow(ct.layout);
  Transformer m = ct.model;
  m.layers[1].heads[0].query(0, ct.layout.out().offset) = 1.0;  // layer 2's query peeks at out
  CHECK(mentions(dataflow_error(m, ct.layout, flow), "reads slice out", "layer 2 head out"));
  m = ct.model;
  m.layers[0].heads[0].output(ct.layout.tok().offset, 0) = 1.0;  // q1's head also writes into tok
  CHECK(mentions(dataflow_error(m, ct.layout, flow), "writes slice tok", "head q1"));
  m = ct.model;
  m.unembedding(0, ct.layout.key(1).offset) = 1.0;
  CHECK(mentions(dataflow_error(m, ct.layout, flow), "the unembedding", "reads slice k1"));
}

TEST_CASE("residual dataflow: the check fires on a declaration that reads an unwritten slice or writes twice") {
  const CopyTransformer ct = build_copy_transformer(3, 3, 64);
  ResidualDataflow flow = copy_transformer_dataflow(ct.layout);
  flow.embedding_writes.pop_back();  // nobody writes `one`, which every layer-1 query reads
  CHECK(mentions(dataflow_error(ct.model, ct.layout, flow), "reads slice one", "no earlier stage writes"));

  flow = copy_transformer_dataflow(ct.layout);
  flow.layers[0][1].value_reads = {"q1"};  // q1 is written by the same layer: not there yet
  CHECK(mentions(dataflow_error(ct.model, ct.layout, flow), "reads slice q1", "no earlier stage writes"));

  flow = copy_transformer_dataflow(ct.layout);
  flow.layers[1][0].writes = "q1";  // layer 2 would add its code into q1, which layer 1 writes
  CHECK(mentions(dataflow_error(ct.model, ct.layout, flow), "writes slice q1", "already writes"));
}

TEST_CASE("residual labels: the exact layer-1 stream reads back as its definition, by slice name") {
  const CopyTransformer ct = build_copy_transformer(3, 2, 16);
  // BOS a b COPY a b: at position 2 (b) tok = b, q1 = a (one back), k1 = a, k2 = CUT (BOS).
  const std::vector<Token> x{0, 1};
  const std::vector<Token> sequence = teacher_forced_sequence(ct.vocab, x);
  const Eigen::MatrixXd exact = exact_layer1_stream(ct.vocab, ct.layout, sequence);
  const Eigen::VectorXd row = exact.row(2).transpose();
  const auto readings =
      read_residual_row(ct, std::span<const double>(row.data(), static_cast<std::size_t>(row.size())));
  auto symbol_of = [&](const std::string& name) {
    for (const auto& r : readings)
      if (r.slice == name) return r.symbol;
    FAIL("no slice " << name);
    return -2;
  };
  CHECK(readings.size() == ct.layout.slices().size());
  CHECK(symbol_of("tok") == 1);
  CHECK(symbol_of("q1") == 0);
  CHECK(symbol_of("k1") == 0);
  CHECK(symbol_of("k2") == cut_symbol(ct.vocab));
  CHECK(symbol_of("out") == -1);  // nothing written before layer 2
  CHECK(readings.back().slice == "one");
  CHECK(readings.back().value == 1.0);

  // After layer 2, at the query predicting x_2 = b (k = 1), `out` holds b's code.
  const auto after = counterexample_residual(ct, x, 1);
  REQUIRE(after.size() == ct.layout.slices().size());
  for (const auto& r : after)
    if (r.slice == "out") CHECK(r.symbol == 1);
}
