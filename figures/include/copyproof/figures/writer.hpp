#pragma once
// The one writer every figure goes through: DIR/NAME.csv (the table, after a header
// comment naming the command, version and seed), DIR/NAME.gp (a gnuplot script that
// reads NAME.csv and renders NAME.svg and NAME.png; `cd DIR && gnuplot NAME.gp` reruns
// it), then gnuplot itself. Every file is written to a temporary name and renamed, so an
// interrupted run leaves the previous figure whole.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "copyproof/figures/figure.hpp"

namespace copyproof::figures {

// The Debian package that provides the renderer (named in the error when it is missing).
inline constexpr const char* kGnuplotPackage = "gnuplot-nox";

// gnuplot failed on a script (its own message is in what()).
struct RenderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "# " + line for each line, then the header row and the rows, comma-separated.
std::string csv_text(const Table& table, const std::vector<std::string>& header_comments);
// The gnuplot script for `spec`, reading NAME.csv from the current directory.
std::string gnuplot_script(const std::string& name, const PlotSpec& spec,
                           const std::vector<std::string>& header_comments);

void write_csv_and_script(const std::filesystem::path& dir, const std::string& name, const FigureOutput& output,
                          const std::vector<std::string>& header_comments);

// Whether `gnuplot` can be run (found on PATH).
bool gnuplot_available();
// Runs gnuplot on DIR/NAME.gp, rendering to temporary names that are renamed to
// NAME.svg and NAME.png on success. Throws RenderError with gnuplot's message on failure.
// Returns gnuplot's warnings (empty when it printed none).
std::string render(const std::filesystem::path& dir, const std::string& name);

}  // namespace copyproof::figures
