#pragma once
// The +-1 codes the construction moves through the residual stream.
// Symbol indices: letters 0..D-1 code as themselves; every separator (BOS, COPY and EOS)
// codes as CUT = D, the symbol where an n-gram is cut. b = ceil(log2(D + 1)) bits are
// enough to tell D + 1 symbols apart. (CUT is a code symbol, not a token; trained/'s SEP is
// a token of its own vocabulary, the paper's `|` between prompt parts.)

#include <Eigen/Core>

#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::construction {

// b = ceil(log2(D + 1)): the fewest bits that give the D letters and CUT distinct codes.
int code_bits(int alphabet);

// CUT: the code symbol every separator (BOS, COPY, EOS) embeds as.
inline int cut_symbol(const Vocabulary& vocab) { return vocab.alphabet; }

// The code symbol of a token: the letter itself, or CUT for BOS, COPY and EOS.
int code_symbol(const Vocabulary& vocab, Token token);

// Bit `bit` of symbol s as a sign: 0 -> -1, 1 -> +1.
inline double code_sign(int symbol, int bit) { return ((symbol >> bit) & 1) ? 1.0 : -1.0; }

// c(s) in {-1,+1}^b. <c(u), c(v)> = b - 2 * popcount(u xor v): b for u = v and at most
// b - 2 otherwise (distinct codes differ in at least one bit). The whole gap argument
// of layer 2 rests on this.
Eigen::VectorXd code_vector(int symbol, int bits);

}  // namespace copyproof::construction
