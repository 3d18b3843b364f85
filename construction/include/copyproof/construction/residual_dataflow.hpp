#pragma once
// Which named slices of the residual stream (residual_layout.hpp) each stage of the copy
// transformer reads and writes, declared once, and a check run when the model is built:
// the declared flow is sound (no stage reads a slice that no earlier stage wrote, no two
// stages write the same slice) and every weight keeps to it (a projection's nonzero
// columns lie in the slices it declares to read, an output's nonzero rows in the slice
// it declares to write). A head that read an unwritten slice would read zeros; two
// writers would add their codes into one slice; neither would show until a forward failed.

#include <string>
#include <vector>

#include "copyproof/construction/residual_layout.hpp"
#include "copyproof/construction/transformer.hpp"

namespace copyproof::construction {

struct HeadSlices {
  std::string head;  // the head's name (AttentionHead::name)
  std::vector<std::string> query_reads;
  std::vector<std::string> key_reads;
  std::vector<std::string> value_reads;
  std::string writes;
};

struct ResidualDataflow {
  std::vector<std::string> embedding_writes;
  std::vector<std::vector<HeadSlices>> layers;  // [layer][head], parallel to Transformer::layers
  std::vector<std::string> unembedding_reads;
};

// Layer 2's score as a sum over aligned slice pairs, (query slice, key slice): the n-gram
// ending at the query against the n-gram ending just before the key, then (one, bos) for
// the BOS penalty. The induction head's query and key are stacked from these pairs, in
// this order, and its declared reads are these slices.
struct SlicePair {
  const Slice* query;
  const Slice* key;
};
std::vector<SlicePair> induction_match_pairs(const ResidualLayout& layout);

// The copy transformer's declared flow for `layout` (copy_transformer.cpp builds to it).
ResidualDataflow copy_transformer_dataflow(const ResidualLayout& layout);

// Throws std::logic_error naming the stage and the slice when the flow is unsound or a
// weight reads or writes outside its declaration.
void check_residual_dataflow(const Transformer& model, const ResidualLayout& layout, const ResidualDataflow& flow);

}  // namespace copyproof::construction
