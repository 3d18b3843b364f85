#include "copyproof/ssm_bounds/prefix_copier.hpp"

#include <set>
#include <stdexcept>

namespace copyproof::ssm_bounds {

PrefixCopier::PrefixCopier(int alphabet, int length, int stored_letters)
    : alphabet_(alphabet), length_(length), stored_letters_(stored_letters) {
  if (alphabet < 2 || length < 1 || stored_letters < 0 || stored_letters > length)
    throw std::invalid_argument("PrefixCopier needs D >= 2, L >= 1, 0 <= m <= L");
  if (power(cpp_int(alphabet), static_cast<std::uint64_t>(stored_letters)) > cpp_int(1) << 62)
    throw std::invalid_argument("PrefixCopier: D^m must fit in 62 bits");
}

PrefixCopier::State PrefixCopier::update(const State& s, Token token) const {
  State next = s;
  if (!s.writing) {
    if (token == copy()) return State{true, 0, s.stored};
    if (token == bos()) return State{};
    if (next.position < stored_letters_) next.stored = next.stored * static_cast<std::uint64_t>(alphabet_) + token;
    next.position += 1;
    return next;
  }
  next.position += 1;  // writing: it ignores what it emitted, only counts
  return next;
}

PrefixCopier::Token PrefixCopier::output(const State& s) const {
  if (!s.writing) return 0;  // outputs before COPY are not part of the copy
  if (s.position >= length_) return eos();
  if (s.position >= stored_letters_) return 0;  // the fixed guess
  // Letter `position` of the stored prefix: digit (m - 1 - position) of `stored`, base D.
  std::uint64_t digits = s.stored;
  for (int i = stored_letters_ - 1; i > s.position; --i) digits /= static_cast<std::uint64_t>(alphabet_);
  return static_cast<Token>(digits % static_cast<std::uint64_t>(alphabet_));
}

std::vector<PrefixCopier::Token> PrefixCopier::run(const std::vector<Token>& input,
                                                   const std::function<void(const State&, bool)>& visit) const {
  State s = initial();
  const auto step = [&](Token t, bool is_copy) {
    s = update(s, t);
    if (visit) visit(s, is_copy);
  };
  if (visit) visit(s, false);
  step(bos(), false);
  for (const Token t : input) step(t, false);
  step(copy(), true);
  std::vector<Token> emitted;
  for (int k = 0; k <= length_; ++k) {
    emitted.push_back(output(s));
    step(emitted.back(), false);
  }
  return emitted;
}

CopierCensus run_copier_on_all_strings(int alphabet, int length, int stored_letters) {
  const PrefixCopier copier(alphabet, length, stored_letters);
  const cpp_int strings = power(cpp_int(alphabet), static_cast<std::uint64_t>(length));
  if (strings > 1'000'000) throw std::invalid_argument("census enumerates D^L strings: keep D^L <= 1e6");
  CopierCensus census;
  census.strings = strings;
  std::set<PrefixCopier::State> post_copy, reachable;
  const auto record = [&](const PrefixCopier::State& s, bool just_read_copy) {
    reachable.insert(s);
    if (just_read_copy) post_copy.insert(s);
  };
  std::vector<PrefixCopier::Token> input(static_cast<std::size_t>(length));
  for (std::int64_t index = 0; index < static_cast<std::int64_t>(strings); ++index) {
    std::int64_t rest = index;  // letters are the base-D digits of index, first letter most significant
    for (int i = length - 1; i >= 0; --i) {
      input[static_cast<std::size_t>(i)] = static_cast<PrefixCopier::Token>(rest % alphabet);
      rest /= alphabet;
    }
    std::vector<PrefixCopier::Token> expected = input;
    expected.push_back(copier.eos());
    if (copier.run(input, record) == expected) census.copied += 1;
  }
  census.post_copy_states = post_copy.size();
  census.reachable_states = reachable.size();
  return census;
}

}  // namespace copyproof::ssm_bounds
