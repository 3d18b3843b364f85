// `copyproof copy`: runs the copy transformer autoregressively (greedy) on one string
// and prints what it emitted and whether that is the string followed by EOS.

#include <cstdio>
#include <memory>

#include "cli_support.hpp"
#include "commands.hpp"
#include "construction_options.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/decoder.hpp"
#include "copyproof/construction/hash_copy.hpp"
#include "symbols.hpp"

namespace copyproof::cli {
namespace {

namespace cx = copyproof::construction;

constexpr std::int64_t kMaxCopyLength = 1 << 20;  // the decoder re-reads every cached key per token

struct CopyOptions {
  int alphabet = 2;
  int ngram = 1;
  std::int64_t max_length = 0;
  std::string text;
  std::string precision = "fp32";
  bool json = false;
  CLI::Option* max_length_option = nullptr;
};

template <class Scalar>
std::vector<cx::Token> decode(const cx::CopyTransformer& ct, const std::vector<cx::Token>& x) {
  const cx::TypedTransformer<Scalar> typed(ct.model);
  return cx::greedy_copy(typed, ct.vocab, x, static_cast<std::int64_t>(x.size()) + 1);
}

int run_copy(const CopyOptions& o) {
  checked_shape(o.alphabet, o.ngram);
  const std::vector<cx::Token> x = parse_symbols(o.text, o.alphabet, "STRING");
  const auto length = static_cast<std::int64_t>(x.size());
  if (length < 1) throw UsageError("STRING: needs at least one symbol");
  if (length > kMaxCopyLength)
    throw UsageError("STRING: at most " + std::to_string(kMaxCopyLength) + " symbols (use verify for longer strings)");
  const std::int64_t max_length = o.max_length_option->count() ? o.max_length : length;
  if (max_length < length) throw UsageError("--max-length: must be >= the string's length " + std::to_string(length));

  const cx::CopyTransformer ct = cx::build_copy_transformer(o.alphabet, o.ngram, max_length);
  const std::vector<cx::Token> emitted = o.precision == "fp64" ? decode<double>(ct, x) : decode<float>(ct, x);
  const bool ended = !emitted.empty() && emitted.back() == ct.vocab.eos();
  const std::vector<cx::Token> output(emitted.begin(), emitted.end() - (ended ? 1 : 0));
  const bool copied = ended && output == x;
  const bool repeated = cx::has_repeated_ngram(x, o.ngram);

  if (o.json) {
    print_json({{"input", format_symbols(x, ct.vocab)},
                {"output", format_symbols(output, ct.vocab)},
                {"copied", copied},
                {"ended_with_eos", ended},
                {"repeated_ngram", repeated},
                {"alphabet", o.alphabet},
                {"ngram", o.ngram},
                {"max_length", max_length},
                {"d_model", ct.model.d_model()},
                {"precision", o.precision}});
  } else {
    std::printf("input  %s\noutput %s%s\n", format_symbols(x, ct.vocab).c_str(),
                format_symbols(output, ct.vocab).c_str(), ended ? " <EOS>" : "  (no EOS)");
    std::printf(
        "%s%s\n", copied ? "copied exactly" : "NOT copied",
        repeated ? " (the input has a repeated n-gram: Theorem 2.3 does not promise a copy)" : " (no repeated n-gram)");
  }
  // A string without a repeated n-gram that is not copied contradicts Theorem 2.3.
  return copied || repeated ? kExitPass : kExitFail;
}

}  // namespace

void add_copy_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CopyOptions>();
  auto* cmd = app.add_subcommand("copy", "Copy one string with the transformer, autoregressively (greedy)");
  add_alphabet_option(*cmd, o->alphabet)->required();
  add_ngram_option(*cmd, o->ngram)->required();
  o->max_length_option = add_integer_option(*cmd, "--max-length,-L", o->max_length, 1, kMaxLengthFlag,
                                            "Build the model for strings up to this length (default: the string's)");
  cmd->add_option("--precision", o->precision, "fp32 | fp64 (default fp32)")->check(CLI::IsMember({"fp32", "fp64"}));
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->add_option("STRING", o->text, "Letters a, b, c, ... for D <= 26, else whitespace-separated integers")
      ->required();
  cmd->footer(example_footer("copyproof copy --alphabet 3 --ngram 3 abcabbacc"));
  cmd->callback([o, &exit_code] { exit_code = run_copy(*o); });
}

}  // namespace copyproof::cli
