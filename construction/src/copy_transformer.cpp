#include "copyproof/construction/copy_transformer.hpp"

#include <numeric>
#include <stdexcept>

#include "copyproof/construction/codes.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/residual_dataflow.hpp"

namespace copyproof::construction {
namespace {

// (slice.width, d_model): reads `slice` out of the stream.
Eigen::MatrixXd read_slice(const Slice& slice, int d_model, double scale = 1.0) {
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(slice.width, d_model);
  for (int i = 0; i < slice.width; ++i) m(i, slice.offset + i) = scale;
  return m;
}

// (d_model, slice.width): writes a head's output into `slice` and nowhere else.
Eigen::MatrixXd write_slice(const Slice& slice, int d_model) { return read_slice(slice, d_model).transpose(); }

void put_code(Eigen::Ref<Eigen::VectorXd> target, const Slice& slice, int symbol) {
  target.segment(slice.offset, slice.width) = code_vector(symbol, slice.width);
}

}  // namespace

Eigen::MatrixXd embed_tokens(const Vocabulary& vocab, const ResidualLayout& layout) {
  Eigen::MatrixXd e = Eigen::MatrixXd::Zero(layout.d_model(), vocab.size());
  for (Token t = 0; t < vocab.size(); ++t) {
    put_code(e.col(t), layout.tok(), code_symbol(vocab, t));
    e(layout.sep().offset, t) = vocab.is_separator(t) ? 1.0 : 0.0;
    e(layout.bos().offset, t) = t == vocab.bos() ? 1.0 : 0.0;
    e(layout.one().offset, t) = 1.0;
  }
  return e;
}

// Layer 1. Head writing slice q_m looks at i - m <= j <= i, head writing k_m at
// i - m <= j <= i - 1; both score alpha (i - j) + beta sep(j) and carry tok(j).
// Without a separator in the window the oldest position j = i - m wins by >= alpha
// per step; a separator wins over every letter by >= beta - alpha n = alpha.
// Either way the head writes c(s_{i-m}) cut at separators, within layer1_error_bound
// per coordinate (copy_parameters.hpp). An empty window (k_m at i = 0) writes 0.
TransformerLayer ngram_gather_layer(const CopyParameters& p, const ResidualLayout& layout) {
  const int d = layout.d_model();
  auto gather_head = [&](const Slice& target, std::int64_t nearest, std::int64_t oldest) {
    AttentionHead h;
    h.name = target.name;
    h.query = p.beta * read_slice(layout.one(), d);  // beta * 1 ...
    h.key = read_slice(layout.sep(), d);             // ... times sep(j)
    h.value = read_slice(layout.tok(), d);
    h.output = write_slice(target, d);
    h.position_slope = p.alpha;
    h.window = RelativeWindow{nearest, oldest};
    return h;
  };
  TransformerLayer layer;
  for (int m = 1; m < layout.ngram(); ++m) layer.heads.push_back(gather_head(layout.query(m), 0, m));
  for (int m = 1; m <= layout.ngram(); ++m) layer.heads.push_back(gather_head(layout.key(m), 1, m));
  return layer;
}

// Layer 2. Query(i) = lambda [tok, q_1 .. q_{n-1}, one](i): the n-gram ending at i.
// Key(j) = [k_1 .. k_n, -B bos](j): the n-gram ending at j - 1. Stacked pair by pair from
// induction_match_pairs (tok with k_1, q_m with k_{m+1}, one with bos), the score is
// lambda n b on a match and at most lambda (n b - 2) otherwise; the value tok(j) is the
// token that followed the n-gram.
TransformerLayer induction_layer(const CopyParameters& p, const ResidualLayout& layout) {
  const int d = layout.d_model();
  const std::vector<SlicePair> pairs = induction_match_pairs(layout);
  int width = 0;
  for (const SlicePair& pair : pairs) {
    if (pair.query->width != pair.key->width) throw std::logic_error("induction_layer: a match pair's widths differ");
    width += pair.query->width;
  }
  AttentionHead h;
  h.name = layout.out().name;
  h.query = Eigen::MatrixXd::Zero(width, d);
  h.key = Eigen::MatrixXd::Zero(width, d);
  int row = 0;
  for (const SlicePair& pair : pairs) {
    const double key_scale = pair.key == &layout.bos() ? -p.bos_penalty : 1.0;  // the BOS key: -B
    h.query.middleRows(row, pair.query->width) = read_slice(*pair.query, d, p.lambda);
    h.key.middleRows(row, pair.key->width) = read_slice(*pair.key, d, key_scale);
    row += pair.query->width;
  }
  h.value = read_slice(layout.tok(), d);
  h.output = write_slice(layout.out(), d);
  h.window = RelativeWindow{};      // causal, no positional information
  h.integer_score_unit = p.lambda;  // query / lambda and key are +-1 codes (and 1, -B)
  TransformerLayer layer;
  layer.heads.push_back(std::move(h));
  return layer;
}

// logit(a) = <c(a), out> for letters, logit(EOS) = <c(CUT), out>; BOS and COPY get 0.
// With matched-key mass w > b / (b + 1) the right logit is >= (2w - 1) b > 0 and every
// other code's is <= b - 2w < (2w - 1) b, so the argmax is the copied token.
Eigen::MatrixXd read_copied_code(const Vocabulary& vocab, const ResidualLayout& layout) {
  Eigen::MatrixXd u = Eigen::MatrixXd::Zero(vocab.size(), layout.d_model());
  for (Token t = 0; t < vocab.size(); ++t) {
    if (t == vocab.bos() || t == vocab.copy()) continue;
    Eigen::VectorXd row = Eigen::VectorXd::Zero(layout.d_model());
    put_code(row, layout.out(), code_symbol(vocab, t));
    u.row(t) = row.transpose();
  }
  return u;
}

CopyTransformer build_copy_transformer(int alphabet, int ngram, std::int64_t max_length,
                                       const CopyTransformerOptions& options) {
  const CopyTransformerShape shape = copy_transformer_shape(alphabet, ngram);  // validates D, n, d_model cap
  CopyTransformer ct{Vocabulary{alphabet},
                     copy_parameters(alphabet, ngram, max_length, options.diagnostic_lambda_scale),
                     ResidualLayout(shape.code_bits, ngram), Transformer{}};
  ct.model.embedding = embed_tokens(ct.vocab, ct.layout);
  ct.model.layers.push_back(ngram_gather_layer(ct.parameters, ct.layout));
  ct.model.layers.push_back(induction_layer(ct.parameters, ct.layout));
  ct.model.unembedding = read_copied_code(ct.vocab, ct.layout);
  ct.model.validate();
  check_residual_dataflow(ct.model, ct.layout, copy_transformer_dataflow(ct.layout));
  return ct;
}

std::vector<Token> teacher_forced_sequence(const Vocabulary& vocab, std::span<const Token> x) {
  std::vector<Token> s;
  s.reserve(2 * x.size() + 2);
  s.push_back(vocab.bos());
  s.insert(s.end(), x.begin(), x.end());
  s.push_back(vocab.copy());
  s.insert(s.end(), x.begin(), x.end());
  return s;
}

std::vector<std::int64_t> copy_output_positions(std::int64_t length) {
  std::vector<std::int64_t> positions(static_cast<std::size_t>(length + 1));
  std::iota(positions.begin(), positions.end(), length + 1);
  return positions;
}

}  // namespace copyproof::construction
