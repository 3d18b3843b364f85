// Fuzz target: the STRING argument of `copyproof copy`, in both notations: letters a, b, ...
// for D <= 26 and whitespace-separated integers for larger D. The first three bytes choose D
// (the low bit of byte 0: letters or integers), the rest is the text. Accepted text must
// give tokens inside the alphabet that print back to text parsing to the same tokens;
// refused text must throw UsageError (one line, exit 2 in the CLI).

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cli_support.hpp"
#include "symbols.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  namespace cx = copyproof::construction;
  const unsigned selector = data[0] | (unsigned{data[1]} << 8) | (unsigned{data[2]} << 16);
  const bool letters = (selector & 1) == 0;
  const int alphabet = letters ? 2 + static_cast<int>((selector >> 1) % 25)                         // [2, 26]
                               : 27 + static_cast<int>((selector >> 1) % (cx::kMaxAlphabet - 26));  // [27, 65536]
  const std::string_view text(reinterpret_cast<const char*>(data + 3), size - 3);
  std::vector<cx::Token> tokens;
  try {
    tokens = copyproof::cli::parse_symbols(text, alphabet, "STRING");
  } catch (const copyproof::cli::UsageError& e) {
    // The CLI prints what() as its one line: a newline inside would make it two.
    if (std::string_view(e.what()).find('\n') != std::string_view::npos) std::abort();
    return 0;
  }
  const cx::Vocabulary vocab{alphabet};
  for (cx::Token t : tokens)
    if (!vocab.is_letter(t)) std::abort();
  const std::string printed = copyproof::cli::format_symbols(tokens, vocab);
  if (copyproof::cli::parse_symbols(printed, alphabet, "STRING") != tokens) std::abort();
  // The report's excerpt around any position must stay inside the string.
  if (!tokens.empty()) {
    const auto n = static_cast<std::int64_t>(tokens.size());
    (void)copyproof::cli::format_excerpt(tokens, vocab, static_cast<std::int64_t>(selector) % n,
                                         1 + (selector >> 4) % n);
  }
  return 0;
}
