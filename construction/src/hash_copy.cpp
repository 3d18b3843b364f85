#include "copyproof/construction/hash_copy.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include <parallel/algorithm>

namespace copyproof::construction {
namespace {

// Below this many positions the index is built on one thread. An OpenMP region or a
// parallel sort costs microseconds on an idle machine but milliseconds on a busy one (a
// worker thread waits for a core), which for short strings was all of verify's time: 13 ms
// a 4-token string, against 1.4 us on one thread (verify -D 2 -n 2 -L 4 --samples 100,
// load 3.7). At 32,768 positions the work per region is tens of microseconds at least.
constexpr std::int64_t kParallelMinPositions = std::int64_t{1} << 15;

template <class It>
void sort_positions(It first, It last) {
  if (last - first >= kParallelMinPositions)
    __gnu_parallel::sort(first, last);
  else
    std::sort(first, last);
}

// The cut n-gram ending at position p: `kept` symbols s_p, s_{p-1}, ... before the
// nearest separator, then CUT. Two cut n-grams are equal iff `kept` and those symbols are.
struct CutNgram {
  std::int64_t end = 0;
  int kept = 0;
};

class NgramTable {
 public:
  explicit NgramTable(std::span<const Token> s) : s_(s) {}

  std::uint64_t hash(const CutNgram& g) const {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ static_cast<std::uint64_t>(g.kept);
    for (int r = 0; r < g.kept; ++r) {
      h ^= static_cast<std::uint64_t>(s_[static_cast<std::size_t>(g.end - r)]) + 0x632BE59BD9B4E019ULL + (h << 6) +
           (h >> 2);
      h *= 0xFF51AFD7ED558CCDULL;
    }
    return h ^ (h >> 33);
  }

  bool equal(const CutNgram& a, const CutNgram& b) const {
    if (a.kept != b.kept) return false;
    for (int r = 0; r < a.kept; ++r)
      if (s_[static_cast<std::size_t>(a.end - r)] != s_[static_cast<std::size_t>(b.end - r)]) return false;
    return true;
  }

 private:
  std::span<const Token> s_;
};

int bits_for(std::int64_t values) {  // bits to tell `values` values apart
  int bits = 0;
  while ((std::int64_t{1} << bits) < values) ++bits;
  return bits;
}

// Packed index: the cut n-gram ending at p as (kept, s_p, s_{p-1}, ...) in one word.
std::vector<ReferencePrediction> reference_packed(const Vocabulary& vocab, int ngram, std::span<const Token> sequence,
                                                  std::span<const std::int64_t> output_positions) {
  const auto len = static_cast<std::int64_t>(sequence.size());
  const int letter_bits = bits_for(vocab.alphabet);
  struct Item {
    std::uint64_t key;
    std::int64_t position;
    bool operator<(const Item& o) const { return key != o.key ? key < o.key : position < o.position; }
  };
  std::vector<Item> items(static_cast<std::size_t>(len));
  std::vector<std::int64_t> last_separator(static_cast<std::size_t>(len));
  for (std::int64_t p = 0, last = -1; p < len; ++p) {
    if (vocab.is_separator(sequence[static_cast<std::size_t>(p)])) last = p;
    last_separator[static_cast<std::size_t>(p)] = last;
  }
#pragma omp parallel for schedule(static) if (len >= kParallelMinPositions)
  for (std::int64_t p = 0; p < len; ++p) {
    const int kept = static_cast<int>(std::min<std::int64_t>(ngram, p - last_separator[static_cast<std::size_t>(p)]));
    std::uint64_t key = static_cast<std::uint64_t>(kept);
    for (int r = 0; r < kept; ++r)
      key = (key << letter_bits) | static_cast<std::uint64_t>(sequence[static_cast<std::size_t>(p - r)]);
    key <<= letter_bits * (ngram - kept);  // same width for every kept count
    items[static_cast<std::size_t>(p)] = Item{key, p};
  }
  sort_positions(items.begin(), items.end());

  // Within a group of equal keys (ascending positions), position number r has r earlier
  // occurrences: the keys j = p' + 1 <= t that match the query at t = p_r.
  std::vector<std::int64_t> slot(static_cast<std::size_t>(len), -1);
  for (std::size_t k = 0; k < output_positions.size(); ++k)
    slot[static_cast<std::size_t>(output_positions[k])] = static_cast<std::int64_t>(k);
  std::vector<std::int64_t> group_start(static_cast<std::size_t>(len));
  for (std::int64_t i = 0; i < len; ++i)
    group_start[static_cast<std::size_t>(i)] =
        i > 0 && items[static_cast<std::size_t>(i - 1)].key == items[static_cast<std::size_t>(i)].key
            ? group_start[static_cast<std::size_t>(i - 1)]
            : i;
  std::vector<ReferencePrediction> out(output_positions.size());
#pragma omp parallel for schedule(static) if (len >= kParallelMinPositions)
  for (std::int64_t i = 0; i < len; ++i) {
    const Item& item = items[static_cast<std::size_t>(i)];
    const std::int64_t k = slot[static_cast<std::size_t>(item.position)];
    if (k < 0) continue;
    const std::int64_t first = group_start[static_cast<std::size_t>(i)];
    ReferencePrediction pred;
    pred.matches = i - first;
    if (pred.matches == 1) {
      pred.match_position = items[static_cast<std::size_t>(first)].position + 1;
      const Token next = sequence[static_cast<std::size_t>(pred.match_position)];
      pred.token = vocab.is_separator(next) ? vocab.eos() : next;
    }
    out[static_cast<std::size_t>(k)] = pred;
  }
  return out;
}

std::vector<ReferencePrediction> reference_hashed(const Vocabulary& vocab, int ngram, std::span<const Token> sequence,
                                                  std::span<const std::int64_t> output_positions) {
  const auto len = static_cast<std::int64_t>(sequence.size());

  // Cut n-gram ending at each position.
  std::vector<CutNgram> grams(static_cast<std::size_t>(len));
  int run = 0;  // letters since the last separator
  for (std::int64_t p = 0; p < len; ++p) {
    run = vocab.is_separator(sequence[static_cast<std::size_t>(p)]) ? 0 : run + 1;
    grams[static_cast<std::size_t>(p)] = CutNgram{p, std::min(run, ngram)};
  }

  // Walk positions in order; before answering the query at t, the table holds the n-grams
  // ending at 0 .. t - 1, i.e. the keys j = 1 .. t. Each distinct n-gram keeps its count and
  // the key position j of its first occurrence.
  struct Entry {
    CutNgram gram;
    std::int64_t count;
    std::int64_t first_key;
    std::int32_t next;  // chain of entries with the same hash
  };
  const NgramTable table(sequence);
  std::unordered_map<std::uint64_t, std::int32_t> heads;
  heads.reserve(static_cast<std::size_t>(len));
  std::vector<Entry> entries;
  entries.reserve(static_cast<std::size_t>(len));
  auto find = [&](const CutNgram& g, std::uint64_t h) -> Entry* {
    auto it = heads.find(h);
    for (std::int32_t e = it == heads.end() ? -1 : it->second; e >= 0; e = entries[static_cast<std::size_t>(e)].next)
      if (table.equal(entries[static_cast<std::size_t>(e)].gram, g)) return &entries[static_cast<std::size_t>(e)];
    return nullptr;
  };

  std::vector<ReferencePrediction> out;
  out.reserve(output_positions.size());
  std::size_t next_output = 0;
  for (std::int64_t t = 0; t < len && next_output < output_positions.size(); ++t) {
    const CutNgram& g = grams[static_cast<std::size_t>(t)];
    const std::uint64_t h = table.hash(g);
    if (output_positions[next_output] == t) {
      ReferencePrediction pred;
      if (const Entry* e = find(g, h)) {
        pred.matches = e->count;
        if (e->count == 1) {
          pred.match_position = e->first_key;
          const Token next = sequence[static_cast<std::size_t>(e->first_key)];
          pred.token = vocab.is_separator(next) ? vocab.eos() : next;
        }
      }
      out.push_back(pred);
      ++next_output;
    }
    // Insert the n-gram ending at t: the key of position j = t + 1.
    if (Entry* e = find(g, h)) {
      ++e->count;
    } else {
      auto [it, inserted] = heads.try_emplace(h, -1);
      entries.push_back(Entry{g, 1, t + 1, it->second});
      it->second = static_cast<std::int32_t>(entries.size() - 1);
    }
  }
  return out;
}

}  // namespace

bool ngrams_pack(int alphabet, int ngram) {
  return static_cast<std::int64_t>(ngram) * bits_for(alphabet) + bits_for(ngram + 1) <= 64;
}

std::vector<ReferencePrediction> reference_predictions(const Vocabulary& vocab, int ngram,
                                                       std::span<const Token> sequence,
                                                       std::span<const std::int64_t> output_positions,
                                                       NgramIndex index) {
  if (ngram < 1) throw std::invalid_argument("reference_predictions: ngram must be >= 1");
  const auto len = static_cast<std::int64_t>(sequence.size());
  if (!std::is_sorted(output_positions.begin(), output_positions.end()) ||
      (!output_positions.empty() && (output_positions.front() < 0 || output_positions.back() >= len)))
    throw std::invalid_argument("reference_predictions: output positions must ascend within the sequence");
  if (index == NgramIndex::packed && !ngrams_pack(vocab.alphabet, ngram))
    throw std::invalid_argument("reference_predictions: n-grams do not pack into 64 bits");
  const bool packed =
      index == NgramIndex::packed || (index == NgramIndex::automatic && ngrams_pack(vocab.alphabet, ngram));
  return packed ? reference_packed(vocab, ngram, sequence, output_positions)
                : reference_hashed(vocab, ngram, sequence, output_positions);
}

bool has_repeated_ngram(std::span<const Token> x, int ngram, NgramIndex index) {
  const auto len = static_cast<std::int64_t>(x.size());
  if (ngram < 1) throw std::invalid_argument("has_repeated_ngram: ngram must be >= 1");
  if (len - ngram + 1 < 2) return false;
  int alphabet = 1;
  for (Token t : x) alphabet = std::max(alphabet, t + 1);
  if (index == NgramIndex::packed || (index == NgramIndex::automatic && ngrams_pack(alphabet, ngram))) {
    const int letter_bits = bits_for(alphabet);
    std::vector<std::uint64_t> keys(static_cast<std::size_t>(len - ngram + 1));
#pragma omp parallel for schedule(static) if (len >= kParallelMinPositions)
    for (std::int64_t i = 0; i < len - ngram + 1; ++i) {
      std::uint64_t key = 0;
      for (int r = 0; r < ngram; ++r)
        key = (key << letter_bits) | static_cast<std::uint64_t>(x[static_cast<std::size_t>(i + r)]);
      keys[static_cast<std::size_t>(i)] = key;
    }
    sort_positions(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
  }
  std::vector<std::int64_t> starts(static_cast<std::size_t>(len - ngram + 1));
  for (std::size_t i = 0; i < starts.size(); ++i) starts[i] = static_cast<std::int64_t>(i);
  auto less = [&](std::int64_t a, std::int64_t b) {
    return std::lexicographical_compare(x.begin() + a, x.begin() + a + ngram, x.begin() + b, x.begin() + b + ngram);
  };
  std::sort(starts.begin(), starts.end(), less);
  for (std::size_t i = 1; i < starts.size(); ++i)
    if (!less(starts[i - 1], starts[i])) return true;
  return false;
}

}  // namespace copyproof::construction
