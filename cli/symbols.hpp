#pragma once
// How strings are written on the command line and in reports: letters a, b, c, ... for
// D <= 26, otherwise whitespace-separated integers. EOS, BOS and COPY print as <EOS> etc.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "copyproof/construction/vocabulary.hpp"

namespace copyproof::cli {

// Throws UsageError naming `what` (e.g. "STRING") on a symbol outside the alphabet.
std::vector<construction::Token> parse_symbols(std::string_view text, int alphabet, const std::string& what);

std::string format_symbols(std::span<const construction::Token> tokens, const construction::Vocabulary& vocab);
std::string format_symbol(construction::Token token, const construction::Vocabulary& vocab);

// At most `keep` symbols around `center`, with "..." where something was left out.
std::string format_excerpt(std::span<const construction::Token> tokens, const construction::Vocabulary& vocab,
                           std::int64_t center, std::int64_t keep);

}  // namespace copyproof::cli
