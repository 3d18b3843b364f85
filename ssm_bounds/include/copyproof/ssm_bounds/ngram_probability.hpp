#pragma once
// p_ngram(U_L): the probability that a uniform string of length L over D letters has a
// repeated n-gram (two different start positions with equal n-grams), which bounds the
// copy transformer's error (Theorem 2.3), next to Lemma 2.4's bounds on it.
//
// A string has no repeated n-gram iff its L-n+1 n-grams are distinct, i.e. iff it is a
// trail (a walk that never reuses an edge) of L-n+1 edges in the de Bruijn graph of
// order n-1 (vertices: (n-1)-grams; edges: n-grams). Counting those trails gives p_ngram
// exactly; plain enumeration of all D^L strings is kept as an independent check, and
// Monte Carlo with a Wilson interval covers sizes too large for either.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "copyproof/ssm_bounds/exact_numbers.hpp"
#include "copyproof/ssm_bounds/log2_number.hpp"

namespace copyproof::ssm_bounds {

struct NgramQuery {
  int alphabet = 2;         // D >= 2
  int ngram = 1;            // n >= 1
  std::int64_t length = 1;  // L >= 1
};

enum class NgramMethod { closed_form, de_bruijn_trails, enumeration, monte_carlo };
std::string method_name(NgramMethod method);  // "closed-form", "de-bruijn-trails", ...

struct ExactNgramProbability {
  cpp_rational probability;  // exactly p_ngram
  // D^L (1 - p_ngram), when it is written out exactly (written_out_exactly: at most
  // kExactWriteOutBits bits). Absent past that: L <= n makes it D^L, up to 2^20 x 16 bits,
  // whose decimal digits alone would take minutes to print.
  std::optional<cpp_int> strings_without_repeat;
  NgramMethod method = NgramMethod::closed_form;
};

// Whether p_ngram's fraction is written out exactly (numerator and denominator both
// written_out_exactly); past that the CLI prints it rounded to kBoundDigits digits.
bool probability_written_out(const ExactNgramProbability& p);

// Exact answers that need no search: L <= n (at most one n-gram: p = 0), n = 1
// (distinct letters: D (D-1) ... (D-L+1) strings), L - n + 1 > D^n (pigeonhole: p = 1).
// Neither p = 0 nor p = 1 computes D^L (for D = 65536, L = 2^32 it has 2^36 bits).
std::optional<ExactNgramProbability> closed_form_ngram_probability(const NgramQuery& q);

// Search budgets, chosen so that an exact answer takes about a second on one core.
inline constexpr std::uint64_t kTrailSearchNodeBudget = std::uint64_t{1} << 28;
inline constexpr std::uint64_t kEnumerationStringLimit = std::uint64_t{1} << 20;

// Trail count in the de Bruijn graph, letters relabelled in order of first appearance
// (restricted-growth strings; each stands for D (D-1) ... (D-k+1) strings with k distinct
// letters). Returns nullopt when the search would visit more than `node_budget` nodes.
std::optional<ExactNgramProbability> count_de_bruijn_trails(const NgramQuery& q,
                                                            std::uint64_t node_budget = kTrailSearchNodeBudget);

// All D^L strings, one by one (sorting each string's n-grams). Throws
// std::invalid_argument when D^L exceeds kEnumerationStringLimit.
ExactNgramProbability enumerate_all_strings(const NgramQuery& q, int threads = 1);

// The fastest exact method that fits: closed form, else trails within the budget.
std::optional<ExactNgramProbability> exact_ngram_probability(const NgramQuery& q);

struct NgramEstimate {
  std::uint64_t samples = 0;
  std::uint64_t hits = 0;  // samples with a repeated n-gram
  double probability = 0;  // hits / samples
  double ci_low = 0;       // Wilson score interval, 95%
  double ci_high = 0;
  std::uint64_t seed = 0;
};

// Monte Carlo: sample i uses Rng::stream(seed, i), so results do not depend on `threads`.
// `progress(done, total)` is called from the calling thread between blocks of samples.
NgramEstimate estimate_ngram_probability(const NgramQuery& q, std::uint64_t samples, std::uint64_t seed, int threads,
                                         const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

// The Wilson score interval for `hits` out of `samples` at 95% (z from Boost.Math).
std::pair<double, double> wilson_interval_95(std::uint64_t hits, std::uint64_t samples);

// Lemma 2.4: p_ngram <= C(L-n+1, 2) D^-n (sharp: union bound over pairs of start
// positions, each colliding with probability exactly D^-n) <= L^2 D^-n (the paper's).
cpp_int ngram_pairs(const NgramQuery& q);                // C(L-n+1, 2)
Log2Number log2_lemma_bound_pairs(const NgramQuery& q);  // requires ngram_pairs(q) > 0
Log2Number log2_lemma_bound_paper(const NgramQuery& q);
// Whether D^n is written out exactly (n letters of at most kMaxLetterBits bits within
// kExactWriteOutBits): the exact forms below exist iff this holds.
inline constexpr std::uint64_t kMaxLetterBits = 17;  // D <= 65536 < 2^17
bool lemma_bound_written_out(const NgramQuery& q);
// Exact rationals of both forms, when lemma_bound_written_out(q) (throws otherwise).
cpp_rational lemma_bound_pairs(const NgramQuery& q);
cpp_rational lemma_bound_paper(const NgramQuery& q);

}  // namespace copyproof::ssm_bounds
