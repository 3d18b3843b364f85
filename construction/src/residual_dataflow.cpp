#include "copyproof/construction/residual_dataflow.hpp"

#include <set>
#include <stdexcept>

namespace copyproof::construction {

std::vector<SlicePair> induction_match_pairs(const ResidualLayout& layout) {
  std::vector<SlicePair> pairs{{&layout.tok(), &layout.key(1)}};  // the query's own token with k_1
  for (int m = 1; m < layout.ngram(); ++m) pairs.push_back({&layout.query(m), &layout.key(m + 1)});
  pairs.push_back({&layout.one(), &layout.bos()});
  return pairs;
}

ResidualDataflow copy_transformer_dataflow(const ResidualLayout& layout) {
  ResidualDataflow flow;
  flow.embedding_writes = {layout.tok().name, layout.sep().name, layout.bos().name, layout.one().name};
  std::vector<HeadSlices> gather;
  auto gather_head = [&](const Slice& target) {
    gather.push_back(
        HeadSlices{target.name, {layout.one().name}, {layout.sep().name}, {layout.tok().name}, target.name});
  };
  for (int m = 1; m < layout.ngram(); ++m) gather_head(layout.query(m));
  for (int m = 1; m <= layout.ngram(); ++m) gather_head(layout.key(m));
  flow.layers.push_back(std::move(gather));
  HeadSlices induction{layout.out().name, {}, {}, {layout.tok().name}, layout.out().name};
  for (const SlicePair& p : induction_match_pairs(layout)) {
    induction.query_reads.push_back(p.query->name);
    induction.key_reads.push_back(p.key->name);
  }
  flow.layers.push_back({std::move(induction)});
  flow.unembedding_reads = {layout.out().name};
  return flow;
}

namespace {

[[noreturn]] void reject_flow(const std::string& what) { throw std::logic_error("residual dataflow: " + what); }

// Stream coordinate -> index of the slice holding it.
std::vector<int> slice_of_coordinate(const ResidualLayout& layout) {
  std::vector<int> owner(static_cast<std::size_t>(layout.d_model()), -1);
  for (std::size_t s = 0; s < layout.slices().size(); ++s)
    for (int c = layout.slices()[s].offset; c < layout.slices()[s].end(); ++c)
      owner[static_cast<std::size_t>(c)] = static_cast<int>(s);
  return owner;
}

// `stream_index_is_column`: the stream runs along the matrix's columns (a read) or rows (a write).
void check_touches_only(const Eigen::MatrixXd& m, bool stream_index_is_column, const std::vector<std::string>& allowed,
                        const ResidualLayout& layout, const std::vector<int>& owner, const std::string& what) {
  const std::set<std::string> ok(allowed.begin(), allowed.end());
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      if (m(i, j) == 0.0) continue;
      const auto coordinate = static_cast<std::size_t>(stream_index_is_column ? j : i);
      const std::string& name = layout.slices()[static_cast<std::size_t>(owner[coordinate])].name;
      if (ok.count(name) == 0)
        reject_flow(what + (stream_index_is_column ? " reads" : " writes") + " slice " + name +
                    ", outside its declaration");
    }
}

}  // namespace

void check_residual_dataflow(const Transformer& model, const ResidualLayout& layout, const ResidualDataflow& flow) {
  if (model.d_model() != layout.d_model()) reject_flow("the model's width differs from the layout's");
  if (flow.layers.size() != model.layers.size()) reject_flow("the declaration's layer count differs from the model's");
  auto head_label = [&](std::size_t l, std::size_t h) {
    return "layer " + std::to_string(l + 1) + " head " + model.layers[l].heads[h].name;
  };

  // The declaration: every read slice written by an earlier stage, no slice written twice.
  std::set<std::string> written;
  auto write = [&](const std::string& slice, const std::string& by) {
    layout.named(slice);  // throws on a name the layout does not have
    if (!written.insert(slice).second)
      reject_flow(by + " writes slice " + slice + ", which an earlier stage already writes");
  };
  auto require_written = [&](const std::vector<std::string>& reads, const std::set<std::string>& before,
                             const std::string& by) {
    for (const auto& slice : reads)
      if (before.count(slice) == 0) reject_flow(by + " reads slice " + slice + ", which no earlier stage writes");
  };
  for (const auto& slice : flow.embedding_writes) write(slice, "the embedding");
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const auto& declared = flow.layers[l];
    if (declared.size() != model.layers[l].heads.size())
      reject_flow("layer " + std::to_string(l + 1) + ": head count differs from the declaration");
    const std::set<std::string> before = written;  // a layer's heads all read the stream entering it
    for (std::size_t h = 0; h < declared.size(); ++h) {
      const HeadSlices& d = declared[h];
      const std::string by = head_label(l, h);
      if (d.head != model.layers[l].heads[h].name) reject_flow(by + ": declared as " + d.head);
      require_written(d.query_reads, before, by + " (query)");
      require_written(d.key_reads, before, by + " (key)");
      require_written(d.value_reads, before, by + " (value)");
      write(d.writes, by);
    }
  }
  require_written(flow.unembedding_reads, written, "the unembedding");

  // The weights: each matrix touches only the slices its stage declares.
  const std::vector<int> owner = slice_of_coordinate(layout);
  check_touches_only(model.embedding, false, flow.embedding_writes, layout, owner, "the embedding");
  for (std::size_t l = 0; l < model.layers.size(); ++l)
    for (std::size_t h = 0; h < model.layers[l].heads.size(); ++h) {
      const AttentionHead& head = model.layers[l].heads[h];
      const HeadSlices& d = flow.layers[l][h];
      const std::string by = head_label(l, h);
      check_touches_only(head.query, true, d.query_reads, layout, owner, by + " (query)");
      check_touches_only(head.key, true, d.key_reads, layout, owner, by + " (key)");
      check_touches_only(head.value, true, d.value_reads, layout, owner, by + " (value)");
      check_touches_only(head.output, false, {d.writes}, layout, owner, by + " (output)");
    }
  check_touches_only(model.unembedding, true, flow.unembedding_reads, layout, owner, "the unembedding");
}

}  // namespace copyproof::construction
