// `copyproof certify`: the certificate of Theorem 2.3 for one built model (or a weights file
// written by `construct --weights`), at a stated precision; optionally the largest L_max
// it certifies. docs/certify.md says what is proved; docs/cli.md lists the keys.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>

#include "cli_support.hpp"
#include "commands.hpp"
#include "construction_options.hpp"
#include "copyproof/common/atomic_file.hpp"
#include "copyproof/common/safetensors.hpp"
#include "copyproof/construction/certificate.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/copy_transformer_file.hpp"
#include "copyproof/construction/transformer_file.hpp"

namespace copyproof::cli {
namespace {

namespace cx = copyproof::construction;

struct CertifyOptions {
  int alphabet = 0;
  int ngram = 0;
  std::int64_t max_length = 0;
  std::string precision = "exact";
  bool find_max_length = false;
  std::string weights;
  std::string out;
  bool json = false;
  bool weights_given = false, out_given = false;  // given, even as '' (which is refused)
};

nlohmann::json certificate_json(const cx::Certificate& c, std::optional<std::int64_t> max_certified, double seconds) {
  nlohmann::json inequalities = nlohmann::json::array();
  for (const auto& q : c.inequalities)
    inequalities.push_back(
        {{"name", q.name}, {"step", q.step}, {"lhs", q.lhs}, {"rhs", q.rhs}, {"holds", q.holds}, {"margin", q.margin}});
  nlohmann::json j{{"alphabet", c.alphabet},       {"ngram", c.ngram},
                   {"max_length", c.max_length},   {"precision", cx::to_string(c.precision)},
                   {"d_model", c.d_model},         {"certified", c.certified},
                   {"inequalities", inequalities}, {"min_margin", c.min_margin},
                   {"weakest", c.weakest}};
  if (max_certified) j["max_certified_length"] = *max_certified;
  j["seconds"] = seconds;
  return j;
}

void write_file(const std::string& path, const std::string& text) {
  try {
    write_file_atomically(path, text);
  } catch (const FileWriteError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }
}

int run_certify(CertifyOptions o) {
  const auto start = std::chrono::steady_clock::now();
  const auto precision = cx::parse_certificate_precision(o.precision);
  if (!precision)
    throw UsageError("--precision: '" + o.precision + "' is not one of exact, fp64, fp32, bf16, fp16, int8");
  // An output that cannot be written is refused before the (possibly long) certification.
  if (o.out_given) require_writable_file(o.out, "--out");
  if (o.weights_given && o.weights.empty()) throw UsageError("--weights: an empty path");
  std::optional<cx::Transformer> loaded;
  if (!o.weights.empty()) {
    if (o.find_max_length) throw UsageError("--find-max-length: rebuilds the model per length; not with --weights");
    SafetensorsFile file;
    try {
      file = read_safetensors(o.weights);
      loaded = cx::transformer_from_safetensors(file);
    } catch (const SafetensorsError& e) {
      throw UsageError("--weights: " + std::string(e.what()));
    }
    // D, n and L_max default to the derivation `construct --weights` attached (a value out of
    // range is refused, naming its key, rather than narrowed: 4294967298 must not become D = 2).
    if (cx::has_copy_derivation(file)) {
      cx::CopyDerivation derivation;
      try {
        derivation = cx::read_copy_derivation(file);
      } catch (const SafetensorsError& e) {
        throw UsageError("--weights: " + std::string(e.what()));
      }
      if (o.alphabet == 0) o.alphabet = derivation.alphabet;
      if (o.ngram == 0) o.ngram = derivation.ngram;
      if (o.max_length == 0) o.max_length = derivation.max_length;
    }
  }
  if (o.alphabet < 2 || o.alphabet > 65536) throw UsageError("--alphabet: required, an integer in [2, 65536]");
  if (o.ngram < 1) throw UsageError("--ngram: required, an integer >= 1");
  const auto shape = checked_shape(o.alphabet, o.ngram);
  if (o.max_length == 0 && !o.find_max_length)
    throw UsageError("--max-length: required (an integer in [1, 1e18]) unless --find-max-length");

  std::optional<std::int64_t> max_certified;
  cx::Certificate certificate;
  if (o.find_max_length) {
    require_memory(static_cast<std::uint64_t>(shape.params) * 8 * 2, "--alphabet", "building the model");
    const cx::MaxLengthSearch search = cx::find_max_certified_length(o.alphabet, o.ngram, *precision);
    max_certified = search.max_certified_length;
    if (search.at_max) {
      certificate = *search.at_max;
    } else {
      const cx::CopyTransformer ct = cx::build_copy_transformer(o.alphabet, o.ngram, 1);
      certificate = cx::certify_copy_transformer(ct.model, o.alphabet, o.ngram, 1, *precision);
    }
  } else if (loaded) {
    certificate = with_usage_errors("--weights", [&] {
      return cx::certify_copy_transformer(*loaded, o.alphabet, o.ngram, o.max_length, *precision);
    });
  } else {
    require_memory(static_cast<std::uint64_t>(shape.params) * 8 * 2, "--alphabet", "building the model");
    const cx::CopyTransformer ct = cx::build_copy_transformer(o.alphabet, o.ngram, o.max_length);
    certificate = cx::certify_copy_transformer(ct.model, o.alphabet, o.ngram, o.max_length, *precision);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const nlohmann::json j = certificate_json(certificate, max_certified, seconds);
  if (!o.out.empty()) write_file(o.out, j.dump(1) + "\n");

  // With --find-max-length the verdict is whether some L_max (and the asked one, if any) is certified.
  const bool pass = o.find_max_length ? (max_certified.value_or(0) >= std::max<std::int64_t>(o.max_length, 1))
                                      : certificate.certified;
  if (o.json) {
    print_json(j);
  } else {
    std::printf("certificate for D=%d, n=%d, L_max=%lld, precision %s (d_model %d): %s\n", o.alphabet, o.ngram,
                static_cast<long long>(certificate.max_length), o.precision.c_str(), certificate.d_model,
                certificate.certified ? "CERTIFIED" : "NOT CERTIFIED");
    if (max_certified) std::printf("  largest certified L_max: %lld\n", static_cast<long long>(*max_certified));
    std::printf("  %zu inequalities; layer-1 deviation <= %.3g, score perturbation <= %.3g, matched mass >= %.9f\n",
                certificate.inequalities.size(), certificate.layer1_deviation, certificate.score_perturbation,
                certificate.match_mass_lower);
    if (const cx::Inequality* bad = certificate.first_failure()) {
      std::printf("  FAILS: %s: %.17g < %.17g does not hold\n         (%s)\n", bad->name.c_str(), bad->lhs, bad->rhs,
                  bad->step.c_str());
    } else {
      std::printf("  weakest: %s (margin %.6g)\n", certificate.weakest.c_str(), certificate.min_margin);
    }
    if (!o.out.empty()) std::printf("  certificate written to %s\n", o.out.c_str());
  }
  return pass ? kExitPass : kExitFail;
}

}  // namespace

void add_certify_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CertifyOptions>();
  auto* cmd = app.add_subcommand(
      "certify", "Prove, by finitely many checked inequalities on the weights, that the model copies every string");
  add_alphabet_option(*cmd, o->alphabet);
  add_ngram_option(*cmd, o->ngram);
  add_integer_option(*cmd, "--max-length,-L", o->max_length, 1, cx::kMaxCertifiedLength, "Longest string L_max");
  cmd->add_option("--precision", o->precision, "exact (default), fp64, fp32, bf16, fp16 or int8");
  cmd->add_flag("--find-max-length", o->find_max_length,
                "Search the largest L_max certified at this precision (<= 1e18)");
  cmd->add_option("--weights", o->weights,
                  "Certify this weights file (from `construct --weights`) instead of building");
  cmd->add_option("--out", o->out, "Write the certificate JSON to this file");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->footer(example_footer("copyproof certify --alphabet 4 --ngram 8 --max-length 1e6 --precision fp32"));
  cmd->callback([o, cmd, &exit_code] {
    o->weights_given = cmd->count("--weights") > 0;
    o->out_given = cmd->count("--out") > 0;
    exit_code = run_certify(*o);
  });
}

}  // namespace copyproof::cli
