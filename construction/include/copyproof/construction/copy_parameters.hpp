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
// gives w >= 2b / (2b + 1) > b / (b + 1), the mass the argmax needs (required_match_mass).
double layer2_scale(std::int64_t keys, int code_bits, double eta);

// b / (b + 1): the unembedding's argmax is the matched token whenever the matched key
// holds more than this softmax mass. (Right logit >= (2w - 1) b, any other <= b - 2w.)
double required_match_mass(int code_bits);

// Lower bound on the matched key's mass implied by lambda: 1 / (1 + (T - 1) e^{-2 lambda (1 - eta)}).
double match_mass_floor(std::int64_t keys, double lambda, double eta);

// Keys a layer-2 query can see for strings up to L_max: positions 0 .. 2 L_max + 1.
inline std::int64_t layer2_keys(std::int64_t max_length) { return 2 * max_length + 2; }

struct CopyParameters {
  int alphabet = 0;            // D
  int ngram = 0;               // n
  std::int64_t max_length = 0; // L_max
  int code_bits = 0;           // b
  double alpha = 0;
  double beta = 0;
  double layer1_error_bound = 0;   // eps1
  double bos_penalty = 0;          // B
  double score_perturbation = 0;   // eta
  double lambda = 0;
  double match_mass_floor = 0;     // guaranteed w on a unique match
  double required_match_mass = 0;  // b / (b + 1)
};

// All of the above for (D, n, L_max); throws std::invalid_argument on sizes out of range.
CopyParameters copy_parameters(int alphabet, int ngram, std::int64_t max_length);

}  // namespace copyproof::construction
