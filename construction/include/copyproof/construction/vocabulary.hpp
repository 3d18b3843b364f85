#pragma once
// Tokens of the copy task: the D letters 0..D-1, then BOS, COPY, EOS.

#include <cstdint>
#include <string>

namespace copyproof::construction {

using Token = std::int32_t;

// Largest alphabet the construction accepts (codes stay within 17 bits).
inline constexpr int kMaxAlphabet = 65536;

struct Vocabulary {
  int alphabet = 2;  // D

  Token bos() const { return alphabet; }
  Token copy() const { return alphabet + 1; }
  Token eos() const { return alphabet + 2; }
  int size() const { return alphabet + 3; }

  bool is_letter(Token t) const { return t >= 0 && t < alphabet; }
  // BOS and COPY open a new segment: n-grams are cut at them. EOS never enters a
  // sequence (generation stops there); it is treated as one too so that every
  // non-letter behaves the same way.
  bool is_separator(Token t) const { return !is_letter(t); }
};

// Alphabets up to 26 are written as letters a, b, c, ...; larger ones as integers.
inline bool writes_letters(int alphabet) { return alphabet <= 26; }

// A token's name in reports and in weights files: a letter (or its integer for D > 26),
// <BOS>, <COPY>, <EOS>.
inline std::string token_name(Token token, const Vocabulary& vocab) {
  if (token == vocab.bos()) return "<BOS>";
  if (token == vocab.copy()) return "<COPY>";
  if (token == vocab.eos()) return "<EOS>";
  if (writes_letters(vocab.alphabet)) return std::string(1, static_cast<char>('a' + token));
  return std::to_string(token);
}

}  // namespace copyproof::construction
