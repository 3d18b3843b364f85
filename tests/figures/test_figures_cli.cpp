// `copyproof figures --quick` end to end, through the CLI: every figure's CSV has its
// columns and header, its SVG is well-formed XML (expat) with one plot group per series,
// its PNG has the signature and a plausible size; two runs (2 and 3 threads) write
// identical CSVs; the trained figures read the committed fixture (real 200-step runs,
// tests/figures/make_fixture.sh) and are skipped with a note when the data is absent;
// bad input and a missing gnuplot exit 2 with one line.

#include <doctest/doctest.h>
#include <expat.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../cli/cli_runner.hpp"

namespace {

namespace fs = std::filesystem;
using copyproof::testing::run_cli;
using copyproof::testing::slurp;

const std::string kFixture = std::string(COPYPROOF_SOURCE_DIR) + "/tests/figures/fixtures";

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "copyproof_figures_XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> cells;
  std::stringstream s(line);
  for (std::string cell; std::getline(s, cell, sep);) cells.push_back(cell);
  if (!line.empty() && line.back() == sep) cells.push_back("");
  return cells;
}

struct Csv {
  std::vector<std::string> comments, columns;
  std::vector<std::vector<std::string>> rows;
  std::string column(std::size_t row, const std::string& name) const {
    for (std::size_t c = 0; c < columns.size(); ++c)
      if (columns[c] == name) return rows[row][c];
    FAIL("no column " << name);
    return {};
  }
};

Csv read_csv(const fs::path& path) {
  Csv csv;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) {
      csv.comments.push_back(line.substr(2));
    } else if (csv.columns.empty()) {
      csv.columns = split(line, ',');
    } else {
      csv.rows.push_back(split(line, ','));
    }
  }
  return csv;
}

// Well-formedness by expat, and the number of gnuplot plot groups (<g id="gnuplot_plot_N...">,
// one per plotted series, suffixed a, b, ... per multiplot panel).
struct SvgCheck {
  bool well_formed = false;
  std::set<std::string> plot_ids;  // distinct: an opaque legend repeats a series' group
  int series() const { return static_cast<int>(plot_ids.size()); }
  std::string error;
};

SvgCheck check_svg(const fs::path& path) {
  SvgCheck result;
  XML_Parser parser = XML_ParserCreate(nullptr);
  XML_SetUserData(parser, &result);
  XML_SetStartElementHandler(parser, [](void* data, const XML_Char* name, const XML_Char** attributes) {
    if (std::string(name) != "g") return;
    for (int i = 0; attributes[i]; i += 2)
      if (std::string(attributes[i]) == "id" && std::string(attributes[i + 1]).rfind("gnuplot_plot_", 0) == 0)
        static_cast<SvgCheck*>(data)->plot_ids.insert(attributes[i + 1]);
  });
  const std::string text = slurp(path.string());
  result.well_formed = XML_Parse(parser, text.data(), static_cast<int>(text.size()), 1) == XML_STATUS_OK;
  if (!result.well_formed) result.error = XML_ErrorString(XML_GetErrorCode(parser));
  XML_ParserFree(parser);
  return result;
}

void check_png(const fs::path& path) {
  const std::string bytes = slurp(path.string());
  REQUIRE(bytes.size() > 24);
  CHECK(bytes.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  CHECK(bytes.substr(12, 4) == "IHDR");
  auto be32 = [&](std::size_t at) {
    return (unsigned(static_cast<unsigned char>(bytes[at])) << 24) |
           (unsigned(static_cast<unsigned char>(bytes[at + 1])) << 16) |
           (unsigned(static_cast<unsigned char>(bytes[at + 2])) << 8) |
           unsigned(static_cast<unsigned char>(bytes[at + 3]));
  };
  // Plausible: a readable page (the specs ask 1000-1400 x 600-750 pixels), and more bytes
  // than an empty frame would take but fewer than a photograph.
  CHECK(be32(16) >= 800);
  CHECK(be32(16) <= 2000);
  CHECK(be32(20) >= 400);
  CHECK(be32(20) <= 1500);
  CHECK(bytes.size() > 20'000);
  CHECK(bytes.size() < 3'000'000);
}

struct Expected {
  std::vector<std::string> columns;
  int series;  // -1: counted from the presets (see below)
};

const std::map<std::string, Expected>& expected_figures() {
  static const std::map<std::string, Expected> expected = {
      {"state-vs-length",
       {{"row", "D", "L", "gssm_bits_half", "gssm_bits_0.01", "ngram", "params", "weight_bits", "kv_bits_per_token",
         "kv_cache_bits", "preset", "family", "preset_state_bits"},
        -1}},
      {"error-vs-length",
       {{"n", "L", "p_ngram", "p_low", "p_high", "p_method", "lemma_bound", "strings", "measured_error", "measured_low",
         "measured_high"},
        9}},  // n = 4, 6, 8 x (measured, p_ngram, Lemma 2.4)
      {"error-bound-presets", {{"preset", "family", "growth", "state_bits_at_L", "L", "error_lower_bound"}, -1}},
      {"debruijn-margins",
       {{"D", "n", "L", "copied", "violations", "min_match_mass", "match_mass_floor", "argmax_threshold",
         "sufficient_match_mass", "max_layer1_error", "layer1_error_bound"},
        11}},  // D = 2, 4 x (3 mass series + 2 layer-1 series), and the threshold 1/2
      {"trained-length-generalization",
       {{"model", "length", "seeds", "mean_string_accuracy", "low", "high", "interval", "train_min_length",
         "train_max_length"},
        6}},  // 3 models x (interval band, mean)
      {"trained-sample-efficiency",
       {{"model", "examples_seen", "eval_length", "seeds", "mean_string_accuracy", "low", "high", "interval"}, 6}},
      {"dup-ngram-probe",
       {{"model", "length", "ngram", "seeds", "mean_string_accuracy", "low", "high", "interval"}, 3}},
      {"state-sweep-bound",
       {{"group", "model", "state_numbers", "state_bits_32", "longest_copied", "longest_drawn",
         "bound_longest_length_32", "bits_per_letter_copied", "fewest_bits_per_number", "bound_at_fewest_bits"},
        4}},  // the bound at 32 bits, the bound at the fewest bits, LSTM points, Mamba points
      {"state-sweep-small-bound",
       {{"group", "model", "state_numbers", "state_bits_32", "longest_copied", "longest_drawn",
         "bound_longest_length_32", "bits_per_letter_copied", "fewest_bits_per_number", "bound_at_fewest_bits"},
        4}},  // as state-sweep-bound, over 4 letters, a row per seed
      {"positional-length-generalization",
       {{"encoding", "length", "seeds", "mean_string_accuracy", "low", "high", "interval", "train_min_length",
         "train_max_length"},
        4}},  // the fixture's 2 encodings x (interval band, mean)
      {"sample-efficiency",
       {{"model", "examples_seen", "eval_length", "seeds", "mean_string_accuracy", "low", "high", "interval"}, 6}},
      {"lookup-length-generalization",
       {{"group", "length", "seeds", "mean_string_accuracy", "low", "high", "interval", "train_min_length",
         "train_max_length"},
        12}},  // 2 tasks (panels) x 3 models x (interval band, mean)
  };
  return expected;
}

// Presets the library lists (through the CLI), and which of them grow with L.
std::map<std::string, nlohmann::json> listed_presets() {
  const auto run = run_cli("bound --list-presets --json");
  REQUIRE(run.exit_code == 0);
  const auto listing = nlohmann::json::parse(run.out);
  std::map<std::string, nlohmann::json> presets;
  for (const auto& p : listing.at("presets")) presets[p.at("preset").get<std::string>()] = p;
  return presets;
}

int expected_series(const std::string& name, const Csv& csv) {
  const auto presets = listed_presets();
  std::set<std::string> names, stop_families, growing;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const std::string preset = csv.column(r, "preset");
    if (preset.empty()) continue;
    names.insert(preset);
    if (name == "state-vs-length") {
      if (csv.column(r, "row") == "preset-stop") stop_families.insert(csv.column(r, "family"));
      if (csv.column(r, "row") == "preset-growing") growing.insert(preset);
    }
  }
  // Every preset of the library's list is drawn, and nothing else.
  CHECK(names.size() == presets.size());
  for (const auto& n : names) CHECK(presets.count(n) == 1);
  if (name == "error-bound-presets") return static_cast<int>(names.size());
  // D = 26, 50277 x (two GSSM curves, weights, KV cache) + a series per fixed family + a line per growing preset.
  return 8 + static_cast<int>(stop_families.size() + growing.size());
}

}  // namespace

TEST_CASE("figures --quick: every figure's CSV, SVG and PNG, identical CSVs across runs and thread counts") {
  const fs::path first = make_temp_dir(), second = make_temp_dir();
  const auto run1 = run_cli("figures --quick --threads 2 --out " + first.string() + " --data " + kFixture);
  INFO(run1.err);
  REQUIRE(run1.exit_code == 0);
  CHECK(run1.err.find("skipped") == std::string::npos);
  const auto run2 = run_cli("figures --quick --threads 3 --out " + second.string() + " --data " + kFixture);
  REQUIRE(run2.exit_code == 0);

  for (const auto& [name, expected] : expected_figures()) {
    INFO("figure " << name);
    const fs::path base = first / name;
    const Csv csv = read_csv(base.string() + ".csv");
    CHECK(csv.columns == expected.columns);
    CHECK(!csv.rows.empty());
    for (const auto& row : csv.rows) CHECK(row.size() == csv.columns.size());
    REQUIRE(csv.comments.size() >= 3);
    CHECK(csv.comments[1].rfind("command: copyproof figures --only " + name + " --quick --seed 1", 0) == 0);
    CHECK(csv.comments[2].rfind("version: copyproof ", 0) == 0);
    CHECK(csv.comments[3].rfind("seed: 1", 0) == 0);

    const SvgCheck svg = check_svg(base.string() + ".svg");
    INFO(svg.error);
    CHECK(svg.well_formed);
    CHECK(svg.series() == (expected.series >= 0 ? expected.series : expected_series(name, csv)));
    check_png(base.string() + ".png");
    CHECK(fs::exists(base.string() + ".gp"));

    CHECK(slurp(base.string() + ".csv") == slurp((second / name).string() + ".csv"));
  }
  // No temporary file is left behind.
  for (const auto& entry : fs::directory_iterator(first))
    CHECK(entry.path().string().find(".tmp.") == std::string::npos);
  fs::remove_all(first);
  fs::remove_all(second);
}

TEST_CASE("figures: the trained figures are skipped with a note naming the study when the data is absent") {
  const fs::path dir = make_temp_dir();
  const auto run = run_cli("figures --quick --only trained-length-generalization --only dup-ngram-probe --out " +
                           dir.string() + " --data " + (dir / "nothing").string());
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("skipped trained-length-generalization") != std::string::npos);
  CHECK(run.err.find("copy-seeds") != std::string::npos);
  CHECK(!fs::exists(dir / "trained-length-generalization.csv"));
  fs::remove_all(dir);
}

TEST_CASE("figures: a lookup study stopped before its prefix runs draws the suffix panel alone") {
  const fs::path dir = make_temp_dir();
  fs::create_directories(dir / "data" / "lookup");
  for (const auto& entry : fs::directory_iterator(kFixture + "/lookup"))
    if (entry.path().filename().string().rfind("suffix-", 0) == 0)
      fs::copy(entry.path(), dir / "data" / "lookup" / entry.path().filename());
  const auto run = run_cli("figures --quick --only lookup-length-generalization --out " + (dir / "out").string() +
                           " --data " + (dir / "data").string());
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const SvgCheck svg = check_svg((dir / "out" / "lookup-length-generalization.svg").string());
  CHECK(svg.series() == 6);  // 3 models x (interval band, mean), one panel
  fs::remove_all(dir);
}

TEST_CASE("figures: without gnuplot the data and scripts are written and the exit code is 2") {
  const fs::path dir = make_temp_dir();
  const std::string base = dir.string() + "/run";
  const std::string command = "PATH=/nonexistent " + std::string(COPYPROOF_BINARY) +
                              " figures --quick --only debruijn-margins --out " + dir.string() + " >" + base +
                              ".out 2>" + base + ".err";
  const int status = std::system(command.c_str());
  CHECK(WEXITSTATUS(status) == 2);
  const std::string err = slurp(base + ".err");
  CHECK(err.find("gnuplot-nox") != std::string::npos);
  CHECK(fs::exists(dir / "debruijn-margins.csv"));
  CHECK(fs::exists(dir / "debruijn-margins.gp"));
  CHECK(!fs::exists(dir / "debruijn-margins.svg"));
  fs::remove_all(dir);
}

TEST_CASE("figures: bad input exits 2 with one line on stderr and nothing on stdout") {
  for (const std::string args : {"figures --only no-such-figure", "figures --threads 0", "figures --seed -1",
                                 "figures --out /proc/no/such/dir"}) {
    INFO(args);
    const auto run = run_cli(args);
    CHECK(run.exit_code == 2);
    CHECK(run.err_lines() == 1);
    CHECK(run.out.empty());
  }
  const auto list = run_cli("figures --list");
  CHECK(list.exit_code == 0);
  for (const auto& [name, expected] : expected_figures()) CHECK(list.out.find(name) != std::string::npos);
}
