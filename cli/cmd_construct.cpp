// `copyproof construct`: builds the copy transformer for (D, n, L_max) and reports its
// size, the theory's numbers and the residual slices.

#include <cstdio>
#include <memory>

#include "cli_support.hpp"
#include "commands.hpp"
#include "construction_options.hpp"
#include "copyproof/common/safetensors.hpp"
#include "copyproof/construction/copy_parameters.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/copy_transformer_file.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/residual_layout.hpp"
#include "copyproof/construction/tensor_core_padding.hpp"

namespace copyproof::cli {
namespace {

namespace cx = copyproof::construction;

struct ConstructOptions {
  int alphabet = 2;
  int ngram = 1;
  std::int64_t max_length = 0;
  std::string weights;
  bool json = false;
  double lambda_scale = 1.0;
  CLI::Option* weights_option = nullptr;
};

// Builds the model and writes every weight to `path` with its derivation attached by the
// library (copy_transformer_file.hpp: sizes, the theory's numbers, slices, vocabulary).
void write_weights(const ConstructOptions& o, const cx::CopyTransformerShape& shape) {
  // The model, its safetensors copy and one row-major temporary: 3 copies of every number.
  require_memory(static_cast<std::uint64_t>(shape.params) * 8 * 3, "--weights", "writing the weights");
  const cx::CopyTransformer ct =
      cx::build_copy_transformer(o.alphabet, o.ngram, o.max_length, cx::CopyTransformerOptions{o.lambda_scale});
  try {
    cx::write_copy_transformer(o.weights, ct);
  } catch (const SafetensorsError& e) {
    throw UsageError(std::string("--weights: ") + e.what());
  }
}

int run_construct(const ConstructOptions& o) {
  const cx::CopyTransformerShape shape = checked_shape(o.alphabet, o.ngram);
  const cx::CopyParameters p = cx::copy_parameters(o.alphabet, o.ngram, o.max_length, o.lambda_scale);
  const cx::ResidualLayout layout(shape.code_bits, o.ngram);

  nlohmann::json slices = nlohmann::json::array();
  for (const auto& s : layout.slices()) slices.push_back({{"name", s.name}, {"offset", s.offset}, {"width", s.width}});
  if (o.weights_option->count()) require_writable_file(o.weights, "--weights");
  if (!o.weights.empty()) write_weights(o, shape);
  if (o.json) {
    print_json({{"alphabet", o.alphabet},
                {"ngram", o.ngram},
                {"max_length", o.max_length},
                {"code_bits", shape.code_bits},
                {"d_model", shape.d_model},
                {"heads", {shape.layer1_heads, shape.layer2_heads}},
                {"params", shape.params},
                {"nonzero_params", shape.nonzero_params},
                {"kv_numbers_per_token", shape.kv_numbers_per_token},
                {"layer2_key_width", shape.layer2_key_width},
                {"layer2_int8_key_width", cx::padded_key_width(shape.layer2_key_width)},
                {"layer2_int8_k_steps", cx::padded_key_width(shape.layer2_key_width) / cx::kTensorCoreK},
                {"alpha", p.alpha},
                {"beta", p.beta},
                {"lambda", p.lambda},
                {"lambda_scale", p.lambda_scale},
                {"bos_penalty", p.bos_penalty},
                {"layer1_error_bound", p.layer1_error_bound},
                {"match_mass_floor", p.match_mass_floor},
                {"argmax_threshold", p.argmax_threshold},
                {"sufficient_match_mass", p.sufficient_match_mass},
                {"slices", slices},
                {"weights", o.weights.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.weights)}});
    return kExitPass;
  }
  std::printf("copy transformer for D=%d, n=%d, L_max=%lld\n", o.alphabet, o.ngram,
              static_cast<long long>(o.max_length));
  std::printf("  d_model %d (b = %d code bits), heads per layer %d + %d, params %lld (%lld nonzero)\n", shape.d_model,
              shape.code_bits, shape.layer1_heads, shape.layer2_heads, static_cast<long long>(shape.params),
              static_cast<long long>(shape.nonzero_params));
  std::printf("  alpha %.4f  beta %.4f  lambda %.4f  B %.1f\n", p.alpha, p.beta, p.lambda, p.bos_penalty);
  if (p.lambda_scale != 1.0)
    std::printf("  DIAGNOSTIC MODEL: lambda scaled by %g, below what the proof needs\n", p.lambda_scale);
  std::printf(
      "  layer-1 error <= %.3g; matched-key mass >= %.6f > %.6g (exact argmax threshold; the proof's "
      "sufficient floor b/(b+1) is %.6f)\n",
      p.layer1_error_bound, p.match_mass_floor, p.argmax_threshold, p.sufficient_match_mass);
  std::printf("  slices:");
  for (const auto& s : layout.slices()) std::printf(" %s[%d:%d]", s.name.c_str(), s.offset, s.end());
  std::printf("\n");
  if (!o.weights.empty()) std::printf("  weights written to %s (safetensors, float64)\n", o.weights.c_str());
  return kExitPass;
}

}  // namespace

void add_construct_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ConstructOptions>();
  auto* cmd =
      app.add_subcommand("construct", "Build the copy transformer of Theorem 2.3 and report its size and numbers");
  add_alphabet_option(*cmd, o->alphabet)->required();
  add_ngram_option(*cmd, o->ngram)->required();
  add_integer_option(*cmd, "--max-length,-L", o->max_length, 1, kMaxLengthFlag, "Longest string L_max")->required();
  o->weights_option =
      cmd->add_option("--weights", o->weights, "Write every weight matrix to this file (safetensors, float64)");
  add_diagnostic_lambda_scale_option(*cmd, o->lambda_scale);
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->footer(
      example_footer("copyproof construct --alphabet 4 --ngram 8 --max-length 65543 --weights copy.safetensors"));
  cmd->callback([o, &exit_code] { exit_code = run_construct(*o); });
}

}  // namespace copyproof::cli
