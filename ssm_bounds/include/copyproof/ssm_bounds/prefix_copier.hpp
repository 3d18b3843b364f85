#pragma once
// A concrete finite-state copier that makes Theorem 2.7 tight: it stores the first m
// letters of the input exactly, then emits them and a fixed guess (letter 0) for the
// other L - m. After COPY its state is determined by those m letters, so it reaches
// exactly D^m post-COPY states and copies exactly the D^m strings whose last L - m
// letters are all 0: err = 1 - D^m / D^L, the bound evaluated at |S| = D^m.
//
// It is a GSSM in the paper's sense: a state, an update S x V -> S and an output map
// S -> V, run on BOS x_1..x_L COPY and then fed its own outputs.

#include <cstdint>
#include <functional>
#include <vector>

#include "copyproof/ssm_bounds/exact_numbers.hpp"

namespace copyproof::ssm_bounds {

class PrefixCopier {
 public:
  // Tokens: letters 0..D-1, then BOS = D, COPY = D + 1, EOS = D + 2.
  using Token = int;
  struct State {
    bool writing = false;      // false while reading the input, true after COPY
    int position = 0;          // letters read so far, or letters emitted so far
    std::uint64_t stored = 0;  // the first min(position, m) letters, base D
    auto operator<=>(const State&) const = default;
  };

  PrefixCopier(int alphabet, int length, int stored_letters);

  State initial() const { return State{}; }
  State update(const State& s, Token token) const;
  Token output(const State& s) const;

  Token bos() const { return alphabet_; }
  Token copy() const { return alphabet_ + 1; }
  Token eos() const { return alphabet_ + 2; }

  // Runs the copy task on `input` (L letters) and returns the emitted tokens (L + 1 of
  // them). `visit(state, just_read_copy)` sees every state the run passes through.
  std::vector<Token> run(const std::vector<Token>& input,
                         const std::function<void(const State&, bool)>& visit = {}) const;

 private:
  int alphabet_;
  int length_;
  int stored_letters_;  // m
};

// Every string of length L over D letters through the copier: how many it copies, how
// many distinct post-COPY states and how many states in all it reaches.
struct CopierCensus {
  cpp_int strings;
  cpp_int copied;
  cpp_int post_copy_states;
  cpp_int reachable_states;
};
CopierCensus run_copier_on_all_strings(int alphabet, int length, int stored_letters);

}  // namespace copyproof::ssm_bounds
