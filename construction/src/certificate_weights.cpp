// Reading the weights for the certificate. Everything the later steps use comes from the
// matrices (rounded to the format the forward holds them in); the only outside knowledge
// is the meaning of the residual slices (residual_layout.hpp) and which tokens are
// separators (vocabulary.hpp), i.e. the statement being certified. Entries outside the
// construction's form are counted in "structure.*" inequalities (count < 1), except in
// layer 2's bilinear form, where they are carried as a score perturbation instead.

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

#include "certificate_parts.hpp"
#include "copyproof/construction/codes.hpp"
#include "copyproof/construction/residual_layout.hpp"
#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction::certificate_detail {
namespace {

Inequality count_inequality(const std::string& name, const std::string& step, std::int64_t violations) {
  return make_inequality(name, step, Interval(static_cast<double>(violations)), Interval(1.0));
}

bool in_slice(int c, const Slice& s) { return c >= s.offset && c < s.end(); }

// W_o W_v must copy the tok slice into `target` exactly (entry 1 on the aligned diagonal,
// 0 elsewhere), with W_v reading only tok and W_o writing only `target`.
std::int64_t value_path_violations(const AttentionHead& h, const Slice& tok, const Slice& target,
                                   const FormatModel& f) {
  std::int64_t bad = 0;
  const Eigen::Index dv = h.value.rows();
  for (Eigen::Index r = 0; r < dv; ++r)
    for (Eigen::Index c = 0; c < h.value.cols(); ++c)
      if (f.round_weight(h.value(r, c)) != 0 && !in_slice(static_cast<int>(c), tok)) ++bad;
  for (Eigen::Index r = 0; r < h.output.rows(); ++r)
    for (Eigen::Index c = 0; c < h.output.cols(); ++c)
      if (f.round_weight(h.output(r, c)) != 0 && !in_slice(static_cast<int>(r), target)) ++bad;
  if (tok.width != target.width) return bad + 1;
  for (int a = 0; a < target.width; ++a)
    for (int c = 0; c < tok.width; ++c) {
      // sum_k W_o[a, k] W_v[k, c], checked to be computed without any rounding (fma gives
      // each product's error, TwoSum each addition's), so the comparison below is exact.
      double sum = 0;
      bool exact = true;
      for (Eigen::Index k = 0; k < dv; ++k) {
        const double x = f.round_weight(h.output(target.offset + a, k)), y = f.round_weight(h.value(k, tok.offset + c));
        const double p = x * y;
        exact = exact && std::fma(x, y, -p) == 0;
        const double s = sum + p, back = s - sum;
        exact = exact && (sum - (s - back)) + (p - back) == 0;
        sum = s;
      }
      if (!exact || sum != (a == c ? 1.0 : 0.0)) ++bad;
    }
  return bad;
}

// Nonzero entries of each row of a projection: (column, rounded value).
std::vector<std::vector<std::pair<int, double>>> row_entries(const Eigen::MatrixXd& m, const FormatModel& f) {
  std::vector<std::vector<std::pair<int, double>>> rows(static_cast<std::size_t>(m.rows()));
  for (Eigen::Index c = 0; c < m.cols(); ++c)
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      const double w = f.round_weight(m(r, c));
      if (w != 0) rows[static_cast<std::size_t>(r)].emplace_back(static_cast<int>(c), w);
    }
  return rows;
}

double max_row_terms(const Eigen::MatrixXd& m, const FormatModel& f) {
  double most = 0;
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    double k = 0;
    for (Eigen::Index c = 0; c < m.cols(); ++c) k += f.round_weight(m(r, c)) != 0 ? 1 : 0;
    most = std::max(most, k);
  }
  return most;
}

Terms head_terms(const AttentionHead& h, const FormatModel& f) {
  return {max_row_terms(h.query, f), max_row_terms(h.key, f), max_row_terms(h.value, f), max_row_terms(h.output, f)};
}

// Smallest Hamming distance between distinct codes, as a lower bound: 0 (two symbols share a
// code), 1 (some code has a neighbour one bit away), else 2.
int min_code_distance(const std::vector<std::uint32_t>& codes, int bits) {
  std::unordered_set<std::uint32_t> seen(codes.begin(), codes.end());
  if (seen.size() != codes.size()) return 0;
  for (std::uint32_t c : codes)
    for (int k = 0; k < bits; ++k)
      if (seen.count(c ^ (std::uint32_t{1} << k))) return 1;
  return 2;
}

}  // namespace

void read_layer2(WeightReading& w, const Transformer& model, const FormatModel& f) {
  const ResidualLayout layout(w.code_bits, w.ngram);
  const Slice& tok = layout.tok();
  w.form.clear();
  w.aligned.clear();
  w.layer2_structure.clear();
  // One causal head; its bilinear form M = W_q^T W_k and its value path.
  std::int64_t l2_bad = model.layers.size() == 2 && model.layers[1].heads.size() == 1 ? 0 : 1;
  if (l2_bad == 0) {
    const AttentionHead& h = model.layers[1].heads[0];
    if (h.window.lo != 0 || h.window.bounded() || f.round_weight(h.position_slope) != 0) ++l2_bad;
    l2_bad += value_path_violations(h, tok, layout.out(), f);
    w.layer2_key_width = static_cast<int>(h.query.rows());
    w.layer2_terms = head_terms(h, f);
    w.integer_score_unit = h.integer_score_unit;
    w.layer2_query_rows = row_entries(h.query, f);
    w.layer2_key_rows = row_entries(h.key, f);
    for (std::size_t r = 0; r < w.layer2_query_rows.size(); ++r)
      for (const auto& [a, qv] : w.layer2_query_rows[r])
        for (const auto& [c, kv] : w.layer2_key_rows[r]) {
          FormEntry& e = w.form[{a, c}];
          const Interval p = Interval(qv) * Interval(kv);
          e.value = e.value + p;
          e.abs_sum = up(e.abs_sum + abs_hull(p).hi);
        }
    for (int c = 0; c < w.code_bits; ++c) w.aligned.emplace_back(tok.offset + c, layout.key(1).offset + c);
    for (int m = 1; m < w.ngram; ++m)
      for (int c = 0; c < w.code_bits; ++c)
        w.aligned.emplace_back(layout.query(m).offset + c, layout.key(m + 1).offset + c);
  }
  w.layer2_structure.push_back(
      count_inequality("structure.layer2", "steps 2-3: one causal head, no position slope, value tok -> out", l2_bad));
}

WeightReading read_weights(const Transformer& model, int alphabet, int ngram, const FormatModel& f) {
  const Vocabulary vocab{alphabet};
  const int b = code_bits(alphabet);
  if (model.vocab() != vocab.size() || model.d_model() != residual_width(b, ngram))
    throw std::invalid_argument("certificate: the model's shape (vocab " + std::to_string(model.vocab()) +
                                ", d_model " + std::to_string(model.d_model()) +
                                ") does not fit D = " + std::to_string(alphabet) + ", n = " + std::to_string(ngram));
  const ResidualLayout layout(b, ngram);
  WeightReading w;
  w.code_bits = b;
  w.ngram = ngram;
  w.d_model = layout.d_model();
  w.vocab = vocab.size();
  w.one_coordinate = layout.one().offset;
  w.bos_coordinate = layout.bos().offset;
  w.sep_coordinate = layout.sep().offset;
  const Slice& tok = layout.tok();
  const char* step_structure = "construction form (docs/certify.md, structure)";

  // Embedding: +-1 codes in tok, 0 in the gathered and out slices, the three flags.
  std::int64_t embedding_bad = 0, separator_bad = 0;
  std::vector<std::uint32_t> symbol_codes;  // letters, then CUT (BOS's code)
  std::uint32_t sep_code = 0;
  for (Token t = 0; t < vocab.size(); ++t) {
    std::uint32_t code = 0;
    for (int c = 0; c < w.d_model; ++c) {
      const double e = f.round_weight(model.embedding(c, t));
      double want = 0;
      if (in_slice(c, tok)) {
        if (e != 1.0 && e != -1.0) ++embedding_bad;
        if (e > 0) code |= std::uint32_t{1} << (c - tok.offset);
        continue;
      }
      if (c == w.sep_coordinate) want = vocab.is_separator(t) ? 1 : 0;
      if (c == w.bos_coordinate) want = t == vocab.bos() ? 1 : 0;
      if (c == w.one_coordinate) want = 1;
      if (e != want) ++embedding_bad;
    }
    if (t == vocab.bos()) sep_code = code;
    if (vocab.is_letter(t)) symbol_codes.push_back(code);
  }
  for (Token t : {vocab.copy(), vocab.eos()})
    for (int c = 0; c < b; ++c)
      if (f.round_weight(model.embedding(tok.offset + c, t)) !=
          f.round_weight(model.embedding(tok.offset + c, vocab.bos())))
        ++separator_bad;
  symbol_codes.push_back(sep_code);
  w.structure.push_back(count_inequality(
      "structure.embedding", std::string(step_structure) + ": tok holds +-1 codes, q/k/out slices 0, sep/bos/one flags",
      embedding_bad));
  w.structure.push_back(count_inequality("structure.separator_codes",
                                         "step 1: BOS, COPY and EOS embed the same code c(CUT)", separator_bad));
  w.structure.push_back(make_inequality("code_gap",
                                        "step 1: distinct symbols' codes differ in >= 1 bit, so <c(u), c(v)> <= b - 2 "
                                        "(lhs 0 < rhs = smallest Hamming distance, capped at 2)",
                                        Interval(0.0),
                                        Interval(static_cast<double>(min_code_distance(symbol_codes, b)))));

  // Layer 1: one banded head per gathered slice.
  std::int64_t layers_bad = model.layers.size() == 2 ? 0 : 1;
  w.structure.push_back(count_inequality("structure.layers", std::string(step_structure) + ": two layers", layers_bad));
  if (layers_bad) return w;
  std::vector<int> written(static_cast<std::size_t>(w.d_model), 0);
  for (const AttentionHead& h : model.layers[0].heads) {
    std::int64_t bad = 0;
    Layer1Head head;
    head.name = h.name;
    const Slice* target = nullptr;
    for (const Slice& s : layout.slices())
      if (s.name == h.name && (s.name[0] == 'q' || s.name[0] == 'k') && s.name != "tok") target = &s;
    if (!target) {
      w.structure.push_back(
          count_inequality("structure.layer1." + h.name, "step 1: a layer-1 head writes a q/k slice", 1));
      continue;
    }
    const int m = std::stoi(target->name.substr(1));
    head.writes_key = target->name[0] == 'k';
    head.slice_offset = target->offset;
    head.slice_width = target->width;
    for (int c = target->offset; c < target->end(); ++c) ++written[static_cast<std::size_t>(c)];
    head.lo = h.window.lo;
    head.hi = h.window.hi;
    if (!h.window.bounded() || head.lo != (head.writes_key ? 1 : 0) || head.hi != m) ++bad;
    head.slope = Interval(f.round_weight(h.position_slope));
    Interval bonus = 0.0;
    for (Eigen::Index r = 0; r < h.query.rows(); ++r) {
      for (Eigen::Index c = 0; c < h.query.cols(); ++c)
        if (f.round_weight(h.query(r, c)) != 0 && c != w.one_coordinate) ++bad;
      for (Eigen::Index c = 0; c < h.key.cols(); ++c)
        if (f.round_weight(h.key(r, c)) != 0 && c != w.sep_coordinate) ++bad;
      bonus = bonus + Interval(f.round_weight(h.query(r, w.one_coordinate))) *
                          Interval(f.round_weight(h.key(r, w.sep_coordinate)));
    }
    head.terms = head_terms(h, f);
    head.separator_bonus = bonus;  // one(i) = 1 and sep(j) = 1 (embedding, checked above)
    bad += value_path_violations(h, tok, *target, f);
    w.structure.push_back(count_inequality("structure.layer1." + h.name,
                                           "step 1: window [" + std::string(head.writes_key ? "1" : "0") + ", " +
                                               std::to_string(m) +
                                               "], score slope (i - j) + bonus sep(j), value tok -> " + h.name,
                                           bad));
    w.layer1.push_back(head);
  }
  std::int64_t coverage_bad = 0;
  for (const Slice& s : layout.slices()) {
    const bool gathered = (s.name[0] == 'q' || s.name[0] == 'k') && s.name != "tok";
    for (int c = s.offset; c < s.end(); ++c) coverage_bad += written[static_cast<std::size_t>(c)] != (gathered ? 1 : 0);
  }
  w.structure.push_back(count_inequality(
      "structure.layer1.coverage", "step 1: every q/k slice is written by exactly one layer-1 head", coverage_bad));

  read_layer2(w, model, f);

  // Unembedding: letters read their code from out, EOS reads c(CUT), BOS and COPY nothing.
  std::int64_t u_bad = 0;
  std::vector<double> row_l1(static_cast<std::size_t>(w.vocab), 0.0), row_terms(static_cast<std::size_t>(w.vocab), 0.0);
  const Slice& out = layout.out();
  for (int c = 0; c < w.d_model; ++c)
    for (Token t = 0; t < vocab.size(); ++t) {
      const double u = f.round_weight(model.unembedding(t, c));
      row_l1[static_cast<std::size_t>(t)] = up(row_l1[static_cast<std::size_t>(t)] + std::fabs(u));
      row_terms[static_cast<std::size_t>(t)] += u != 0 ? 1 : 0;
      double want = 0;
      if (in_slice(c, out) && t != vocab.bos() && t != vocab.copy()) {
        const Token reads = vocab.is_letter(t) ? t : vocab.bos();  // EOS reads c(CUT), BOS's code
        want = f.round_weight(model.embedding(tok.offset + (c - out.offset), reads));
      }
      if (u != want) ++u_bad;
    }
  w.unembedding_row_l1 = *std::max_element(row_l1.begin(), row_l1.end());
  w.unembedding_terms = *std::max_element(row_terms.begin(), row_terms.end());
  w.structure.push_back(count_inequality(
      "structure.unembedding", "step 4: logit(a) = <c(a), out>, logit(EOS) = <c(CUT), out>, BOS/COPY 0", u_bad));
  return w;
}

}  // namespace copyproof::construction::certificate_detail
