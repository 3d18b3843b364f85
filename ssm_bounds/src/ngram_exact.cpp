// Exact p_ngram: closed forms, the de Bruijn trail count and plain enumeration.

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <vector>

#include "copyproof/ssm_bounds/ngram_probability.hpp"

namespace copyproof::ssm_bounds {
namespace {

void check_query(const NgramQuery& q) {
  if (q.alphabet < 2 || q.ngram < 1 || q.length < 1) throw std::invalid_argument("need D >= 2, n >= 1, L >= 1");
}

cpp_int all_strings(const NgramQuery& q) { return power(cpp_int(q.alphabet), static_cast<std::uint64_t>(q.length)); }

ExactNgramProbability from_count(const NgramQuery& q, cpp_int without_repeat, NgramMethod method) {
  ExactNgramProbability result;
  result.method = method;
  // No string is free of repeats (pigeonhole): p = 1, without D^L.
  result.probability = without_repeat == 0 ? cpp_rational(1) : 1 - cpp_rational(without_repeat, all_strings(q));
  if (written_out_exactly(without_repeat)) result.strings_without_repeat = std::move(without_repeat);
  return result;
}

// L <= n: every string has at most one n-gram, so p = 0 and all D^L strings are free of
// repeats; D^L is formed only when it can be written out (D >= 2: D^L >= 2^L).
ExactNgramProbability at_most_one_ngram(const NgramQuery& q) {
  ExactNgramProbability result;
  result.method = NgramMethod::closed_form;
  result.probability = 0;
  if (static_cast<std::uint64_t>(q.length) <= kExactWriteOutBits) {
    cpp_int all = all_strings(q);
    if (written_out_exactly(all)) result.strings_without_repeat = std::move(all);
  }
  return result;
}

// Depth-first search over restricted-growth strings whose n-grams are all distinct.
// Symbols are < min(D, L) after relabelling, so an n-gram packs into n * bits bits.
class TrailSearch {
 public:
  TrailSearch(const NgramQuery& q, std::uint64_t budget)
      : q_(q),
        budget_(budget),
        by_distinct_(static_cast<std::size_t>(std::min<std::int64_t>(q.alphabet, q.length)) + 1) {
    const auto symbols = static_cast<std::uint64_t>(std::min<std::int64_t>(q.alphabet, q.length));
    bits_ = std::max(1, static_cast<int>(std::bit_width(symbols - 1)));
    const int code_bits = q.ngram * bits_;
    mask_ = code_bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << code_bits) - 1;
    packable_ = code_bits <= 64;
  }

  // Returns false when the budget ran out.
  bool run() {
    // Past these sizes the trail count alone exceeds any budget (n * bits > 64 needs
    // 2^64 restricted-growth strings; L > 64 a search as deep), so do not start.
    if (!packable_ || q_.length > kMaxSearchDepth) return false;
    return extend(0, 0, 0);
  }

  static constexpr std::int64_t kMaxSearchDepth = 64;

  cpp_int strings_without_repeat() const {
    cpp_int total = 0;
    for (std::size_t k = 0; k < by_distinct_.size(); ++k)
      total += cpp_int(by_distinct_[k]) * falling_factorial(q_.alphabet, k);
    return total;
  }

 private:
  bool extend(std::int64_t placed, std::uint64_t code, std::uint64_t distinct) {
    if (++nodes_ > budget_) return false;
    if (placed == q_.length) {
      ++by_distinct_[distinct];
      return true;
    }
    // The next letter is one already used (0..distinct-1) or the next new one.
    const std::uint64_t choices = std::min<std::uint64_t>(distinct + 1, static_cast<std::uint64_t>(q_.alphabet));
    for (std::uint64_t letter = 0; letter < choices; ++letter) {
      const std::uint64_t next = ((code << bits_) | letter) & mask_;
      const bool closes_ngram = placed + 1 >= q_.ngram;
      if (closes_ngram) {
        if (std::find(used_.begin(), used_.end(), next) != used_.end()) continue;  // edge reused
        used_.push_back(next);
      }
      const bool ok = extend(placed + 1, next, distinct + (letter == distinct ? 1 : 0));
      if (closes_ngram) used_.pop_back();
      if (!ok) return false;
    }
    return true;
  }

  NgramQuery q_;
  std::uint64_t budget_;
  std::uint64_t nodes_ = 0;
  int bits_ = 1;
  std::uint64_t mask_ = 0;
  bool packable_ = true;
  std::vector<std::uint64_t> used_;         // n-gram codes of the current prefix
  std::vector<std::uint64_t> by_distinct_;  // trail counts by number of distinct letters
};

// True when the string with digits `letters` has two equal n-grams.
bool has_repeat(const std::vector<int>& letters, int n, std::vector<std::vector<int>>& grams) {
  const std::size_t count = letters.size() - static_cast<std::size_t>(n) + 1;
  grams.resize(count);
  for (std::size_t i = 0; i < count; ++i)
    grams[i].assign(letters.begin() + static_cast<std::ptrdiff_t>(i),
                    letters.begin() + static_cast<std::ptrdiff_t>(i) + n);
  std::sort(grams.begin(), grams.end());
  return std::adjacent_find(grams.begin(), grams.end()) != grams.end();
}

// D^k < bound, without computing D^k past the bound (k may be 2^32: L in --enumerate).
bool power_below(int alphabet, std::int64_t k, std::uint64_t bound) {
  cpp_int value = 1;
  for (std::int64_t i = 0; i < k; ++i) {
    value *= alphabet;
    if (value >= bound) return false;
  }
  return value < bound;
}

// D^n < count: fewer distinct n-grams than the string has.
bool fewer_ngrams_than(int alphabet, int n, std::int64_t count) {
  return power_below(alphabet, n, static_cast<std::uint64_t>(count));
}

}  // namespace

std::string method_name(NgramMethod method) {
  switch (method) {
    case NgramMethod::closed_form: return "closed-form";
    case NgramMethod::de_bruijn_trails: return "de-bruijn-trails";
    case NgramMethod::enumeration: return "enumeration";
    case NgramMethod::monte_carlo: return "monte-carlo";
  }
  return "unknown";
}

std::optional<ExactNgramProbability> closed_form_ngram_probability(const NgramQuery& q) {
  check_query(q);
  if (q.length <= q.ngram) return at_most_one_ngram(q);
  // L - n + 1 > D^n: more n-grams than there are distinct n-grams (pigeonhole).
  if (fewer_ngrams_than(q.alphabet, q.ngram, q.length - q.ngram + 1)) return from_count(q, 0, NgramMethod::closed_form);
  if (q.ngram == 1)
    return from_count(q, falling_factorial(q.alphabet, static_cast<std::uint64_t>(q.length)), NgramMethod::closed_form);
  return std::nullopt;
}

std::optional<ExactNgramProbability> count_de_bruijn_trails(const NgramQuery& q, std::uint64_t node_budget) {
  check_query(q);
  TrailSearch search(q, node_budget);
  if (!search.run()) return std::nullopt;
  return from_count(q, search.strings_without_repeat(), NgramMethod::de_bruijn_trails);
}

ExactNgramProbability enumerate_all_strings(const NgramQuery& q, int threads) {
  check_query(q);
  if (!power_below(q.alphabet, q.length, kEnumerationStringLimit + 1))  // D^L > the limit, without forming D^L
    throw std::invalid_argument("enumeration needs D^L <= " + std::to_string(kEnumerationStringLimit));
  const auto total = static_cast<std::int64_t>(all_strings(q));
  std::int64_t without_repeat = 0;
#pragma omp parallel num_threads(threads) reduction(+ : without_repeat)
  {
    std::vector<int> letters(static_cast<std::size_t>(q.length));
    std::vector<std::vector<int>> grams;
#pragma omp for schedule(static)
    for (std::int64_t index = 0; index < total; ++index) {
      std::int64_t rest = index;  // the string's letters are index's base-D digits
      for (auto& letter : letters) {
        letter = static_cast<int>(rest % q.alphabet);
        rest /= q.alphabet;
      }
      if (q.length < q.ngram || !has_repeat(letters, q.ngram, grams)) ++without_repeat;
    }
  }
  return from_count(q, without_repeat, NgramMethod::enumeration);
}

bool probability_written_out(const ExactNgramProbability& p) {
  return written_out_exactly(numerator(p.probability)) && written_out_exactly(denominator(p.probability));
}

std::optional<ExactNgramProbability> exact_ngram_probability(const NgramQuery& q) {
  if (auto closed = closed_form_ngram_probability(q)) return closed;
  return count_de_bruijn_trails(q);
}

}  // namespace copyproof::ssm_bounds
