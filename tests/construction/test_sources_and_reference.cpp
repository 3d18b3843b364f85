// String sources and the reference hash-copy algorithm.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/hash_copy.hpp"
#include "copyproof/construction/string_sources.hpp"
#include "copyproof/construction/verifier.hpp"

using namespace copyproof::construction;

TEST_CASE("de Bruijn: every n-gram exactly once, canonical and rotated") {
  for (auto [D, n] : {std::pair{2, 1}, {2, 4}, {3, 3}, {4, 5}, {7, 2}}) {
    const auto source = debruijn_source(D, n, 4, 42);
    for (std::int64_t i = 0; i < 4; ++i) {
      const auto x = source->string(i);
      REQUIRE(static_cast<std::int64_t>(x.size()) == source->length());
      std::set<std::vector<Token>> seen;
      for (std::size_t p = 0; p + n <= x.size(); ++p) seen.insert(std::vector<Token>(x.begin() + p, x.begin() + p + n));
      CHECK(static_cast<double>(seen.size()) == std::pow(D, n));
      CHECK(!has_repeated_ngram(x, n));
    }
  }
  CHECK(debruijn_cycle(2, 3) == std::vector<Token>{0, 0, 0, 1, 0, 1, 1, 1});  // FKM: 0001 011 1
}

TEST_CASE("sources are deterministic in (seed, index) and differ across seeds") {
  const auto a = uniform_source(5, 30, 10, 1), b = uniform_source(5, 30, 10, 1), c = uniform_source(5, 30, 10, 2);
  CHECK(a->string(3) == b->string(3));
  CHECK(a->string(3) != c->string(3));
  CHECK(a->string(3) != a->string(4));
  // Symbols cover the alphabet and stay inside it.
  std::map<Token, int> counts;
  for (std::int64_t i = 0; i < 10; ++i)
    for (Token t : a->string(i)) ++counts[t];
  CHECK(counts.size() == 5);
  CHECK(counts.begin()->first == 0);
  CHECK(counts.rbegin()->first == 4);
}

TEST_CASE("planted strings always repeat an n-gram") {
  for (int n : {1, 3, 6}) {
    const auto source = planted_source(4, n, n + 1, 200, 3);  // shortest allowed: overlapping plants
    for (std::int64_t i = 0; i < 200; ++i) CHECK(has_repeated_ngram(source->string(i), n));
  }
  CHECK_THROWS(planted_source(4, 5, 5, 1, 0));
}

TEST_CASE("exhaustive enumerates every string once") {
  const auto source = exhaustive_source(3, 4);
  std::set<std::vector<Token>> all;
  for (std::int64_t i = 0; i < source->count(); ++i) all.insert(source->string(i));
  CHECK(all.size() == 81);
}

TEST_CASE("has_repeated_ngram, by hand") {
  CHECK(has_repeated_ngram(std::vector<Token>{0, 1, 0, 1}, 2));   // "ab" at 0 and 2
  CHECK(!has_repeated_ngram(std::vector<Token>{0, 1, 1, 0}, 2));  // ab bb ba
  CHECK(has_repeated_ngram(std::vector<Token>{0, 0, 0}, 2));      // overlapping "aa"
  CHECK(!has_repeated_ngram(std::vector<Token>{0, 1, 2}, 4));     // shorter than n
}

TEST_CASE("reference hash-copy: predictions, ambiguity and the cut at separators") {
  const Vocabulary v{3};
  // BOS a b a c COPY a b a c, n = 2.
  const std::vector<Token> x = {0, 1, 0, 2};
  const auto seq = teacher_forced_sequence(v, x);
  const auto outs = copy_output_positions(4);
  const auto ref = reference_predictions(v, 2, seq, outs);
  REQUIRE(ref.size() == 5);
  // k = 0: query (COPY) cut to (CUT, CUT): matches only the key at j = 1 (n-gram ending at BOS).
  CHECK(ref[0].matches == 1);
  CHECK(ref[0].match_position == 1);
  CHECK(ref[0].token == 0);
  // k = 1: query (a, CUT) matches j = 2 (a after BOS): predicts b.
  CHECK(ref[1].token == 1);
  // k = 2: query (b, a) matches j = 3: predicts a.
  CHECK(ref[2].token == 0);
  // k = 3: query (a, b) matches j = 4 only: predicts c.
  CHECK(ref[3].matches == 1);
  CHECK(ref[3].token == 2);
  // k = 4: query (c, a) matches j = 5 (COPY follows): predicts EOS.
  CHECK(ref[4].token == v.eos());

  // With n = 1, k = 1 queries "a" (position 6), which occurs at 1 and 3: keys 2 and 4 both
  // match, so there is no prediction. k = 2 queries "b", which occurs once: key 3, token a.
  const auto ref1 = reference_predictions(v, 1, seq, outs);
  CHECK(ref1[1].matches == 2);
  CHECK(ref1[1].token == -1);
  CHECK(ref1[2].matches == 1);
  CHECK(ref1[2].token == 0);
}

TEST_CASE("lemma bound: the sharper union bound, capped at 1") {
  CHECK(lemma_bound(2, 10, 20) == doctest::Approx(55.0 / 1024));  // C(11, 2) = 55
  CHECK(lemma_bound(2, 3, 3) == 0.0);                             // one start position: no pair
  CHECK(lemma_bound(2, 2, 100) == 1.0);
}

TEST_CASE("reference: the packed and the hashed n-gram index agree, repeats and separators included") {
  for (auto [D, n] : {std::pair{2, 1}, {2, 5}, {3, 4}, {4, 12}, {26, 3}}) {
    const Vocabulary v{D};
    REQUIRE(ngrams_pack(D, n));
    for (SourceKind kind : {SourceKind::uniform, SourceKind::planted}) {
      const auto source =
          kind == SourceKind::uniform ? uniform_source(D, 300, 5, 17) : planted_source(D, n, 300, 5, 17);
      for (std::int64_t i = 0; i < source->count(); ++i) {
        const auto x = source->string(i);
        const auto seq = teacher_forced_sequence(v, x);
        const auto outs = copy_output_positions(300);
        const auto packed = reference_predictions(v, n, seq, outs, NgramIndex::packed);
        const auto hashed = reference_predictions(v, n, seq, outs, NgramIndex::hashed);
        for (std::size_t k = 0; k < outs.size(); ++k) {
          CHECK(packed[k].matches == hashed[k].matches);
          CHECK(packed[k].match_position == hashed[k].match_position);
          CHECK(packed[k].token == hashed[k].token);
        }
        CHECK(has_repeated_ngram(x, n, NgramIndex::packed) == has_repeated_ngram(x, n, NgramIndex::hashed));
      }
    }
  }
  CHECK(!ngrams_pack(65536, 5));  // 5 x 16 bits: only the hashed index
}
