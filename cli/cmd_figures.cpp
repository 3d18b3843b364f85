// `copyproof figures`: every figure of the project, computed through the libraries and
// written as DIR/NAME.csv, DIR/NAME.gp, DIR/NAME.svg and DIR/NAME.png (figures/).

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli_support.hpp"
#include "commands.hpp"
#include "copyproof/figures/figure.hpp"
#include "copyproof/figures/writer.hpp"
#include "version.hpp"

namespace copyproof::cli {
namespace {

namespace fs = std::filesystem;
namespace fg = copyproof::figures;

struct FiguresOptions {
  std::string out = "docs/figures";
  std::string data = "docs/results/data";
  std::vector<std::string> only;
  bool list = false, quick = false;
  int threads = default_threads();
  std::int64_t seed = 1;
};

std::string all_names() {
  std::string names;
  for (const auto& f : fg::all_figures()) names += (names.empty() ? "" : ", ") + f.name;
  return names;
}

// The command that reproduces one figure's data, for the files' header comment.
std::vector<std::string> header_for(const fg::Figure& figure, const FiguresOptions& o) {
  std::string command =
      "copyproof figures --only " + figure.name + (o.quick ? " --quick" : "") + " --seed " + std::to_string(o.seed);
  if (figure.needs_data) command += " --data " + o.data;
  return {"copyproof figure " + figure.name + ": " + figure.claim, "command: " + command,
          std::string("version: ") + kVersion, "seed: " + std::to_string(o.seed) + (o.quick ? " (quick sizes)" : "")};
}

int run_figures(const FiguresOptions& o) {
  if (o.list) {
    for (const auto& f : fg::all_figures())
      std::cout << f.name << (f.needs_data ? "  (from --data)" : "") << "\n    " << f.caption << "\n";
    return kExitPass;
  }
  std::vector<const fg::Figure*> selected;
  for (const auto& name : o.only) {
    const auto* figure = fg::find_figure(name);
    if (!figure) throw UsageError("--only: unknown figure '" + name + "' (one of: " + all_names() + ")");
    selected.push_back(figure);
  }
  if (o.only.empty())
    for (const auto& f : fg::all_figures()) selected.push_back(&f);

  // Study data that does not fit the layout is bad input: every study the selected figures
  // read is loaded (and checked) before --out is created or anything is computed.
  for (const auto* figure : selected)
    if (figure->needs_data) try {
        fg::check_study_data(o.data, figure->study);
      } catch (const std::runtime_error& e) {
        throw UsageError("--data: " + std::string(e.what()));
      }

  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (!fs::is_directory(o.out)) throw UsageError("--out: cannot create the directory '" + o.out + "'");
  const bool can_render = fg::gnuplot_available();
  const bool verbose = progress_enabled();

  fg::FigureContext ctx;
  ctx.quick = o.quick;
  ctx.threads = o.threads;
  ctx.seed = static_cast<std::uint64_t>(o.seed);
  ctx.data_dir = o.data;
  if (verbose) ctx.progress = [](const std::string& line) { std::cerr << "  " << line << "\n"; };

  int drawn = 0, skipped = 0;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const auto& figure = *selected[i];
    std::cerr << "figures: [" << i + 1 << "/" << selected.size() << "] " << figure.name << "\n";
    const auto start = std::chrono::steady_clock::now();
    const fg::FigureOutput output = figure.make(ctx);
    if (!output.skipped.empty()) {
      std::cerr << "figures: skipped " << figure.name << ": " << output.skipped << "\n";
      ++skipped;
      continue;
    }
    fg::write_csv_and_script(o.out, figure.name, output, header_for(figure, o));
    std::string rendered = ".{csv,gp}";
    if (can_render) {
      const std::string warnings = fg::render(o.out, figure.name);
      if (!warnings.empty()) std::cerr << "figures: gnuplot said on " << figure.name << ": " << warnings;
      rendered = ".{csv,gp,svg,png}";
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-32s %s  %d series  %.1f s\n", figure.name.c_str(),
                ((fs::path(o.out) / figure.name).string() + rendered).c_str(), output.plot.series_count(), seconds);
    std::fflush(stdout);
    ++drawn;
  }
  std::printf("%d figure(s) written to %s, %d skipped (no study data)\n", drawn, o.out.c_str(), skipped);
  if (!can_render) {
    std::cerr << "copyproof: error: gnuplot not found: install the Debian package " << fg::kGnuplotPackage
              << " (scripts/install-deps.sh) to render SVG and PNG; the CSV data and .gp scripts are written\n";
    return kExitUsage;
  }
  return kExitPass;
}

}  // namespace

void add_figures_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<FiguresOptions>();
  auto* cmd = app.add_subcommand("figures", "Compute every figure and render it with gnuplot (CSV, .gp, SVG, PNG)");
  cmd->add_option("--out", o->out, "Directory for NAME.csv, NAME.gp, NAME.svg, NAME.png (default docs/figures)");
  cmd->add_option("--only", o->only, "Only this figure (repeatable; --list shows the names)");
  cmd->add_flag("--list", o->list, "List the figures with their captions, compute nothing");
  cmd->add_flag("--quick", o->quick, "Reduced sizes (every figure in well under 2 minutes on 2 cores)");
  add_integer_option(*cmd, "--threads", o->threads, 1, 1024, "Worker threads (results do not depend on it)");
  add_integer_option(*cmd, "--seed", o->seed, 0, std::int64_t{1} << 62, "Seed of every random string (default 1)");
  cmd->add_option("--data", o->data, "Committed study results for the trained figures (default docs/results/data)");
  cmd->footer(example_footer("copyproof figures --quick --out /tmp/figures"));
  cmd->callback([o, cmd, &exit_code] {
    refuse_empty_values(*cmd, {"--data"});  // '' would be the current directory
    exit_code = run_figures(*o);
  });
}

}  // namespace copyproof::cli
