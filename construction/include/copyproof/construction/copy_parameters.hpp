#pragma once
// The numbers the proof of Theorem 2.3 needs (docs/construction.md, "Why it copies").
// Each comes from a named function whose comment states the inequality it satisfies;
// none is typed in by hand anywhere else.

#include <cstdint>

namespace copyproof::construction {

// Design target for layer 1: every coordinate of every gathered code lies within this
// distance of its exact +-1 value (in exact arithmetic). Chosen above float32 rounding
// (~6e-8 on values of size 1), so the float32 forward can be held to the same bound.
inline constexpr double kLayer1ErrorTarget = 1e-6;

// alpha: slope rewarding the oldest position in a layer-1 window. A window holds at
// most n positions besides the winner, each losing >= alpha per step, so the wrong
// softmax mass is <= n e^{-alpha} and each coordinate errs by <= 2 n e^{-alpha}.
// Returns the alpha with 2 n e^{-alpha} = eps.
double layer1_slope(int ngram, double eps);

// beta: bonus of a separator in a layer-1 window. Non-separators score <= alpha n,
// a separator >= beta, so beta - alpha n >= alpha gives the same <= n e^{-alpha}
// wrong mass as above. Returns beta = alpha (n + 1).
double separator_bonus(int ngram, double alpha);

// Per-coordinate error bound of layer 1 for given alpha, beta:
// 2 n e^{-min(alpha, beta - alpha n)}.
double layer1_error_bound(int ngram, double alpha, double beta);

// B: penalty on the BOS key. With B = n b, BOS scores <= lambda (n b - n b) = 0
// <= lambda (n b - 2) whatever layer 1 writes into its key slices (n b >= 2 always),
// so BOS is never closer to the query than a non-matching key.
double bos_penalty(int ngram, int code_bits);

// Relative perturbation eta of a layer-2 score by layer-1 error eps:
// |score - exact| <= lambda n b (2 eps + eps^2) = lambda eta.
double layer2_score_perturbation(int ngram, int code_bits, double eps);

// lambda: layer-2 query scale. The matched key beats each of the other <= T - 1 keys by
// >= 2 lambda (1 - eta), so its softmax mass w >= 1 / (1 + (T - 1) e^{-2 lambda (1 - eta)}).
// Choosing (T - 1) e^{-2 lambda (1 - eta)} <= 1 / (2b), i.e.
//   lambda = ln(2 b (T - 1)) / (2 (1 - eta)),
// gives w >= 2b / (2b + 1) > b / (b + 1) (sufficient_match_mass) > 1/2 (the exact
// threshold, argmax_match_mass_threshold).
double layer2_scale(std::int64_t keys, int code_bits, double eta);

// The exact argmax threshold of the unembedding: the prediction is the matched token for
// every way the remaining mass can be spread over other keys iff the matched key's mass
// w > 1/2. Returns 1/2.
//
// Derivation. Let the matched key's value code be c(a) (a letter, or CUT for EOS) and
// the other keys' codes v_j (+-1 codes of b bits) with masses w_j, sum w_j = 1 - w, so
// out = w c(a) + sum_j w_j v_j. The unembedding rows are c(t) for letters, c(CUT) for EOS,
// 0 for BOS and COPY. For a competitor a' != a let H = Hamming(c(a), c(a')) >= 1 and
// d = c(a) - c(a') (entries 0 or +-2, 2 on H bits). Then <d, c(a)> = 2H and
// <d, v> >= -2H for every +-1 code v, with equality at v = c(a'), which is itself a value
// code. So logit(a) - logit(a') = w 2H + sum_j w_j <d, v_j> >= w 2H - (1 - w) 2H
//   = 2H (2w - 1),
// positive for every spread iff w > 1/2, and 0 (a tie) when all other mass sits on c(a').
// Against BOS/COPY (logit 0): logit(a) = w b + sum_j w_j <c(a), v_j> >= (2w - 1) b, the
// same condition. Tested against the built model's weights ("exact argmax threshold").
double argmax_match_mass_threshold();

// b / (b + 1): the looser threshold the proof's split gives (right logit >= (2w - 1) b,
// any other <= b - 2w). A sufficient floor only; the exact threshold is 1/2 above.
double sufficient_match_mass(int code_bits);

// Lower bound on the matched key's mass implied by lambda: 1 / (1 + (T - 1) e^{-2 lambda (1 - eta)}).
double match_mass_floor(std::int64_t keys, double lambda, double eta);

// Keys a layer-2 query can see for strings up to L_max: positions 0 .. 2 L_max + 1.
inline std::int64_t layer2_keys(std::int64_t max_length) { return 2 * max_length + 2; }

struct CopyParameters {
  int alphabet = 0;             // D
  int ngram = 0;                // n
  std::int64_t max_length = 0;  // L_max
  int code_bits = 0;            // b
  double alpha = 0;
  double beta = 0;
  double layer1_error_bound = 0;  // eps1
  double bos_penalty = 0;         // B
  double score_perturbation = 0;  // eta
  double lambda = 0;
  // 1 for the construction. Below 1 only on request (CopyTransformerOptions::
  // diagnostic_lambda_scale): lambda is scaled down to build a deliberately broken model,
  // and match_mass_floor is what the scaled lambda guarantees (it may fall below 1/2).
  double lambda_scale = 1;
  double match_mass_floor = 0;       // guaranteed w on a unique match
  double argmax_threshold = 0;       // 1/2: exact; the argmax is right iff w > this
  double sufficient_match_mass = 0;  // b / (b + 1): the proof's sufficient floor, not the threshold
};

// All of the above for (D, n, L_max); throws std::invalid_argument on sizes out of range,
// or a lambda_scale outside (0, 1] (see CopyParameters::lambda_scale).
CopyParameters copy_parameters(int alphabet, int ngram, std::int64_t max_length, double lambda_scale = 1.0);

}  // namespace copyproof::construction
