// Proof step 4, the unembedding (docs/certify.md): with +-1 codes the copied token's logit
// beats every other exactly when the matched mass exceeds 1/2 (exact arithmetic), or, with
// rounding, when the out deviation plus the logit rounding stays below 1.

#include "certificate_parts.hpp"

namespace copyproof::construction::certificate_detail {

void certify_unembedding(const WeightReading& w, const Layer2Result& layer2, const FormatModel& f,
                         std::vector<Inequality>& out) {
  // out = c* + e with |e_c| <= eps. For a letter or EOS a' != a*:
  // logit(a*) - logit(a') = <c* - c', c* + e> >= 2H (1 - eps), H = Hamming distance >= 1, and
  // each computed logit errs by <= E; BOS/COPY logits are exactly 0 and logit(a*) >= b (1 - eps).
  // So the argmax is a* when eps + E < 1 (exact arithmetic: eps = 2 (1 - w), i.e. w > 1/2).
  const Interval logit_error =
      chain_error(f, w.unembedding_terms, 1) * Interval(w.unembedding_row_l1) * (Interval(1.0) + layer2.out_deviation);
  out.push_back(make_inequality("unembedding.argmax",
                                "step 4: the copied token's logit beats every other (EOS included; BOS/COPY are 0): "
                                "lhs = out deviation + logit rounding < rhs = 1 (exact threshold: matched mass > 1/2)",
                                layer2.out_deviation + logit_error, Interval(1.0)));
}

}  // namespace copyproof::construction::certificate_detail
