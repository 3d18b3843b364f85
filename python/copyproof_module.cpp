// The Python module `copyproof`. No logic lives here: every call runs a CLI subcommand's
// own code in-process (run_app, the parser and error mapping main() uses) and returns
// the JSON that `copyproof <subcommand> --json` prints, as a dict; or calls one library
// function (the safetensors writer's tensor naming, the fp64 forward). Usage errors raise
// ValueError with the CLI's one-line message. Long calls release the GIL.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "commands.hpp"
#include "copyproof/common/safetensors.hpp"
#include "copyproof/construction/copy_transformer.hpp"
#include "copyproof/construction/forward.hpp"
#include "copyproof/construction/transformer_file.hpp"
#include "run_app.hpp"

namespace py = pybind11;
namespace cli = copyproof::cli;
namespace cx = copyproof::construction;

namespace {

py::object to_python(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      py::dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d[py::str(it.key())] = to_python(it.value());
      return d;
    }
    case nlohmann::json::value_t::array: {
      py::list l;
      for (const auto& value : j) l.append(to_python(value));
      return l;
    }
    case nlohmann::json::value_t::string: return py::str(j.get<std::string>());
    case nlohmann::json::value_t::boolean: return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(j.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float: return py::float_(j.get<double>());
    default: return py::none();
  }
}

// Keyword arguments as the CLI's flags: alphabet=4 -> --alphabet 4, max_length=9 ->
// --max-length 9, json=True -> --json, False/None -> omitted.
std::vector<std::string> flags_of(const py::kwargs& kwargs) {
  std::vector<std::string> args;
  for (const auto& [key, value] : kwargs) {
    std::string flag = "--" + py::str(key).cast<std::string>();
    for (char& c : flag) c = c == '_' ? '-' : c;
    if (value.is_none()) continue;
    if (py::isinstance<py::bool_>(value)) {
      if (value.cast<bool>()) args.push_back(flag);
      continue;
    }
    args.push_back(flag);
    args.push_back(py::str(value).cast<std::string>());
  }
  return args;
}

// Runs `copyproof <args> --json` in-process; returns its JSON (also when the run reports
// a FAIL, exit 1: the dict says so); raises ValueError on a usage error.
py::object run_json(std::vector<std::string> args) {
  CLI::App app{"copyproof", "copyproof"};
  app.require_subcommand(1, 1);
  int exit_code = cli::kExitPass;
  cli::add_construct_command(app, exit_code);
  cli::add_copy_command(app, exit_code);
  cli::add_verify_command(app, exit_code);
  cli::add_bound_command(app, exit_code);
  cli::add_pngram_command(app, exit_code);
  args.insert(args.begin() + 1, "--json");  // right after the subcommand, before any "--"
  cli::AppOutcome outcome;
  nlohmann::json result;
  {
    py::gil_scoped_release release;
    cli::JsonCapture capture;
    outcome = cli::run_app(app, args, exit_code);
    result = capture.value();
  }
  if (outcome.exit_code == cli::kExitUsage) throw py::value_error(outcome.error);
  if (outcome.exit_code == cli::kExitInternal) throw std::runtime_error(outcome.error);
  return to_python(result);
}

std::vector<std::string> with_command(std::string command, const py::kwargs& kwargs) {
  std::vector<std::string> args{std::move(command)};
  for (auto& flag : flags_of(kwargs)) args.push_back(std::move(flag));
  return args;
}

py::array_t<double> to_numpy(const copyproof::Tensor& t) {
  const std::vector<double> values = t.values<double>();
  py::array_t<double> array(t.shape);
  std::memcpy(array.mutable_data(), values.data(), values.size() * sizeof(double));
  return array;
}

// construct(alphabet, ngram, max_length): `construct --json` plus every weight as the
// weights file names it (transformer_to_safetensors: the writer's own naming).
py::object construct(int alphabet, int ngram, std::int64_t max_length, const py::kwargs& kwargs) {
  py::kwargs flags = kwargs;
  flags["alphabet"] = alphabet;
  flags["ngram"] = ngram;
  flags["max_length"] = max_length;
  py::dict info = run_json(with_command("construct", flags));  // validates like the CLI
  copyproof::SafetensorsFile file;
  {
    py::gil_scoped_release release;
    file = cx::transformer_to_safetensors(cx::build_copy_transformer(alphabet, ngram, max_length).model);
  }
  py::dict weights;
  for (const auto& [name, tensor] : file.tensors) weights[py::str(name)] = to_numpy(tensor);
  py::dict parameters;
  for (const char* key : {"lambda", "alpha", "beta", "bos_penalty", "layer1_error_bound"})
    parameters[key] = py::object(info[key]);
  py::object namespace_type = py::module_::import("types").attr("SimpleNamespace");
  return namespace_type(py::arg("weights") = weights, py::arg("slices") = py::object(info["slices"]),
                        py::arg("parameters") = parameters, py::arg("lambda_") = py::object(info["lambda"]),
                        py::arg("alpha") = py::object(info["alpha"]), py::arg("beta") = py::object(info["beta"]),
                        py::arg("heads") = to_python(nlohmann::json::parse(file.metadata.at("heads"))),
                        py::arg("info") = info);
}

// The C++ forward in fp64 on a weights file: logits at `output_positions` (every position
// when empty), (outputs, vocab).
py::array_t<double> forward_logits(const std::string& weights, const std::vector<cx::Token>& tokens,
                                   std::vector<std::int64_t> output_positions) {
  cx::ForwardResult<double> result;
  {
    py::gil_scoped_release release;
    cx::Transformer model;
    try {
      model = cx::transformer_from_safetensors(copyproof::read_safetensors(weights));
    } catch (const copyproof::SafetensorsError& e) {
      throw std::invalid_argument(std::string("weights: ") + e.what());
    }
    for (const cx::Token t : tokens)
      if (t < 0 || t >= model.vocab())
        throw std::invalid_argument("tokens: " + std::to_string(t) + " is not in [0, " +
                                    std::to_string(model.vocab() - 1) + "]");
    if (output_positions.empty())
      for (std::int64_t i = 0; i < static_cast<std::int64_t>(tokens.size()); ++i) output_positions.push_back(i);
    for (std::size_t i = 0; i < output_positions.size(); ++i)
      if (output_positions[i] < 0 || output_positions[i] >= static_cast<std::int64_t>(tokens.size()) ||
          (i > 0 && output_positions[i] <= output_positions[i - 1]))
        throw std::invalid_argument("output_positions: ascending positions in [0, len(tokens))");
    const cx::TypedTransformer<double> typed(model);
    result = cx::forward(typed, std::span<const cx::Token>(tokens), std::span<const std::int64_t>(output_positions),
                         cx::ForwardOptions{});
  }
  py::array_t<double> logits({result.logits.rows(), result.logits.cols()});
  std::memcpy(logits.mutable_data(), result.logits.data(), result.logits.size() * sizeof(double));
  return logits;
}

}  // namespace

PYBIND11_MODULE(copyproof, m) {
  m.doc() = "copyproof from Python: the CLI's subcommands as functions returning its JSON as dicts";
  // std::invalid_argument from the library becomes ValueError (pybind11's own mapping).
  m.def("construct", &construct, py::arg("alphabet"), py::arg("ngram"), py::arg("max_length"),
        "The copy transformer for (D, n, L_max): weights (numpy, named as in the weights file), slices, "
        "parameters (lambda, alpha, beta, ...), heads, and info (`construct --json`). weights='path' also "
        "writes the weights file, as `construct --weights`.");
  m.def(
      "verify", [](const py::kwargs& kw) { return run_json(with_command("verify", kw)); },
      "`copyproof verify --json` with keyword flags (alphabet=4, ngram=4, length=16, samples=10, ...)");
  m.def(
      "bound", [](const py::kwargs& kw) { return run_json(with_command("bound", kw)); },
      "`copyproof bound --json` with keyword flags (alphabet, length, state_bits, preset, epsilon, ...)");
  m.def(
      "pngram", [](const py::kwargs& kw) { return run_json(with_command("pngram", kw)); },
      "`copyproof pngram --json` with keyword flags (alphabet, ngram, length, exact, samples, seed, ...)");
  m.def(
      "copy",
      [](const std::string& text, const py::kwargs& kw) {
        std::vector<std::string> args = with_command("copy", kw);
        args.push_back("--");
        args.push_back(text);
        return run_json(args);
      },
      py::arg("text"), "`copyproof copy --json TEXT` (greedy decoding) with keyword flags");
  m.def(
      "presets",
      [] {
        return run_json({"bound", "--list-presets"});
      },
      "`copyproof bound --list-presets --json`");
  m.def("forward_logits", &forward_logits, py::arg("weights"), py::arg("tokens"),
        py::arg("output_positions") = std::vector<std::int64_t>{},
        "The C++ forward (fp64) of a weights file on token ids: logits (outputs, vocab)");
}
