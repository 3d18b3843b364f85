#include "symbols.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "cli_support.hpp"

namespace copyproof::cli {

using construction::Token;
using construction::Vocabulary;

namespace {
bool uses_letters(int alphabet) { return construction::writes_letters(alphabet); }
}  // namespace

std::vector<Token> parse_symbols(std::string_view text, int alphabet, const std::string& what) {
  std::vector<Token> tokens;
  if (uses_letters(alphabet)) {
    const char last = static_cast<char>('a' + alphabet - 1);
    for (char ch : text) {
      if (std::isspace(static_cast<unsigned char>(ch))) continue;
      if (ch < 'a' || ch > last)
        throw UsageError(what + ": symbol '" + std::string(1, ch) + "' is outside the alphabet a.." +
                         std::string(1, last));
      tokens.push_back(ch - 'a');
    }
    return tokens;
  }
  std::istringstream in{std::string(text)};
  std::string word;
  while (in >> word) {
    const auto value = parse_integer(word);
    if (!value || *value < 0 || *value >= alphabet)
      throw UsageError(what + ": symbol '" + word + "' is not an integer in [0, " + std::to_string(alphabet - 1) + "]");
    tokens.push_back(static_cast<Token>(*value));
  }
  return tokens;
}

std::string format_symbol(Token token, const Vocabulary& vocab) { return construction::token_name(token, vocab); }

std::string format_symbols(std::span<const Token> tokens, const Vocabulary& vocab) {
  std::string out;
  const bool spaced = !uses_letters(vocab.alphabet);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (spaced && i > 0) out += ' ';
    out += format_symbol(tokens[i], vocab);
  }
  return out;
}

std::string format_excerpt(std::span<const Token> tokens, const Vocabulary& vocab, std::int64_t center,
                           std::int64_t keep) {
  const auto size = static_cast<std::int64_t>(tokens.size());
  if (size <= keep) return format_symbols(tokens, vocab);
  const std::int64_t first = std::clamp<std::int64_t>(center - keep / 2, 0, size - keep);
  std::string out = first > 0 ? "[" + std::to_string(first) + "]..." : "";
  out += format_symbols(tokens.subspan(static_cast<std::size_t>(first), static_cast<std::size_t>(keep)), vocab);
  if (first + keep < size) out += "...";
  return out;
}

}  // namespace copyproof::cli
