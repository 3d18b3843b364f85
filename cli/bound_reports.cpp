#include "bound_reports.hpp"

#include <cstdio>

#include "cli_support.hpp"
#include "copyproof/ssm_bounds/architecture_presets.hpp"
#include "copyproof/ssm_bounds/copy_error_bound.hpp"
#include "copyproof/ssm_bounds/preset_report.hpp"
#include "copyproof/ssm_bounds/transformer_side.hpp"
#include "exact_json.hpp"

namespace copyproof::cli {

namespace sb = copyproof::ssm_bounds;

nlohmann::json transformer_side_json(const sb::TransformerSide& side) {
  nlohmann::json t = {{"ngram", side.ngram}, {"ngram_paper", side.ngram_paper}};
  if (!side.shape) {
    t["construction_unavailable"] = side.unavailable_reason;
    return t;
  }
  t["d_model"] = side.shape->d_model;
  t["params"] = side.shape->params;
  t["nonzero_params"] = side.shape->nonzero_params;
  t["kv_numbers_per_token"] = side.shape->kv_numbers_per_token;
  t["kv_numbers_at_copy"] = json_integer(side.kv_numbers_at_copy);
  t["lambda"] = side.parameters->lambda;
  t["lambda_bits"] = side.lambda_bits;
  return t;
}

int print_bound_table(const BoundTableRequest& request) {
  nlohmann::json rows = nlohmann::json::array();
  if (!request.json) {
    std::printf("Copying L letters over D=%d with error <= %s: a fixed-state model vs the copy transformer\n",
                request.alphabet, request.epsilon_text.c_str());
    std::printf("%22s %24s | %6s %8s %8s %14s %12s %9s\n", "L", "GSSM min state bits", "n", "n paper", "d_model",
                "params", "KV/token", "lambda");
  }
  for (const auto& length : request.lengths) {
    const sb::cpp_int bits = sb::min_state_bits(request.alphabet, length, request.epsilon);
    const sb::TransformerSide side = sb::transformer_side(request.alphabet, length, request.epsilon);
    nlohmann::json row = {{"length", json_integer(length)}, {"min_state_bits", json_integer(bits)}};
    row.update(transformer_side_json(side));
    if (request.json) {
      rows.push_back(row);
      continue;
    }
    if (side.shape) {
      std::printf("%22s %24s | %6d %8d %8d %14lld %12lld %9.3f\n", length.str().c_str(), bits.str().c_str(), side.ngram,
                  side.ngram_paper, side.shape->d_model, static_cast<long long>(side.shape->params),
                  static_cast<long long>(side.shape->kv_numbers_per_token), side.parameters->lambda);
    } else {
      std::printf("%22s %24s | %6d %8d  (%s)\n", length.str().c_str(), bits.str().c_str(), side.ngram, side.ngram_paper,
                  side.unavailable_reason.c_str());
    }
  }
  if (request.json) {
    print_json({{"alphabet", request.alphabet}, {"epsilon", request.epsilon_text}, {"rows", rows}});
  } else {
    std::printf(
        "GSSM: fewest bits B with 1 - 2^B / D^L < eps (Theorem 2.7). Transformer: smallest n with\n"
        "C(L-n+1, 2) D^-n <= eps (Lemma 2.4), its d_model and parameters from the construction.\n");
  }
  return kExitPass;
}

int print_preset_list(bool json) {
  nlohmann::json list = nlohmann::json::array();
  if (!json)
    std::printf("%-20s %-26s %6s %14s %12s %6s %8s  %s\n", "preset", "family", "layers", "fixed numbers", "per token",
                "bits", "D", "L* (longest L with error <= 1/2 possible, native bits)");
  for (const auto& p : sb::published_presets()) {
    const nlohmann::json j = sb::preset_json(p);
    if (json) {
      list.push_back(j);
      continue;
    }
    const auto l_star = sb::native_max_length_half(p);
    const auto native = p.uniform_native_bits();
    const std::string bits = native ? std::to_string(*native) : "mixed";
    std::printf("%-20s %-26s %6lld %14s %12s %6s %8d  %s\n", p.name.c_str(), p.family.substr(0, 26).c_str(),
                static_cast<long long>(p.layers), p.fixed_numbers(true).str().c_str(),
                p.growth_per_token(true).str().c_str(), bits.c_str(), p.vocabulary,
                l_star ? l_star->str().c_str() : "none: KV cache grows with L, Theorem 2.7 does not apply");
  }
  std::string builders;
  for (const auto& b : sb::builder_names()) {
    std::string flags;
    for (const auto& f : sb::builder_required_flags(b)) flags += " " + f + " N";
    builders += "  --preset " + b + flags + "\n";
  }
  if (json) {
    print_json({{"presets", list},
                {"builders", sb::builder_names()},
                {"default_alphabet", sb::kGptNeoxVocabulary},
                {"default_bits_per_number", sb::kDefaultBitsPerNumber}});
  } else {
    std::printf("builders:\n%s", builders.c_str());
    std::printf(
        "fixed numbers: effective numbers carried at every L; per token: KV numbers added per cached\n"
        "token (hybrids and transformers). bits: the state's native format (\"mixed\": per component,\n"
        "see --json). D: the preset's vocabulary, its default --alphabet. Builders count %d bits a\n"
        "number. Sources: docs/ssm_bounds.md.\n",
        sb::kDefaultBitsPerNumber);
  }
  return kExitPass;
}

}  // namespace copyproof::cli
