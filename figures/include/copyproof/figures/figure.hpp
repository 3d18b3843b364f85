#pragma once
// A figure of `copyproof figures`: a name, a caption, the claim it supports, a function
// that computes its data table through the libraries, and a plot spec. Adding a figure is
// one file in figures/src/ (fig_<name>.cpp) and one line in registry.cpp; the shared
// writer (writer.hpp) turns the table and the spec into NAME.csv, NAME.gp, NAME.svg, NAME.png.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace copyproof::figures {

// The data of a figure: named columns, rows of cells already formatted as text (numbers
// through num(), so two runs write byte-identical CSV files).
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  void add_row(std::vector<std::string> cells);  // throws std::logic_error on a width mismatch
};

// A number as a CSV cell: integers exactly, others to 10 significant digits; NaN as "nan"
// (gnuplot skips it).
std::string num(double value);
std::string num(std::int64_t value);
inline std::string num(int value) { return num(static_cast<std::int64_t>(value)); }

// One plotted series: `using` is gnuplot's using clause over the CSV's named columns
// (e.g. "(column('L')):(column('n') == 4 ? column('p') : NaN)"), `style` its "with" clause.
struct Series {
  std::string title;  // legend entry; empty = no legend entry
  std::string using_clause;
  std::string style;
};

struct Panel {
  std::string title;  // empty on a one-panel figure (the figure's title says it)
  std::string xlabel, ylabel, y2label;
  bool logx = false, logy = false, logy2 = false;
  std::string xrange, yrange, y2range;  // gnuplot ranges "[1:1e6]"; empty = automatic
  std::string key = "top left";         // arguments of `set key`
  std::vector<std::string> extra;       // further gnuplot commands (format, tics, objects)
  std::vector<Series> series;
};

struct PlotSpec {
  std::string title;               // states the claim
  int width = 1100, height = 650;  // pixels of the PNG (and the SVG's size)
  int rows = 1, cols = 1;          // multiplot layout when there is more than one panel
  std::vector<Panel> panels;
  int series_count() const;
};

// What a figure's data function gets.
struct FigureContext {
  bool quick = false;                                // reduced sizes (--quick)
  int threads = 1;                                   // worker threads (results do not depend on it)
  std::uint64_t seed = 1;                            // every random string of every figure derives from it
  std::filesystem::path data_dir;                    // committed study results (trained figures)
  std::function<void(const std::string&)> progress;  // a line of progress (may be empty)
  void note(const std::string& line) const {
    if (progress) progress(line);
  }
};

// A figure's data and plot, or the reason it was skipped (missing study data).
struct FigureOutput {
  Table table;
  PlotSpec plot;
  std::string skipped;  // nonempty: nothing to draw, this says why and what to run
};

struct Figure {
  std::string name;         // "error-vs-length": file names and --only
  std::string caption;      // what it shows
  std::string claim;        // which result of theory.md it supports
  bool needs_data = false;  // drawn from committed study data (--data)
  std::function<FigureOutput(const FigureContext&)> make;
  std::string study;  // with needs_data: the study under --data it reads (checked before drawing)
};

// Reads and checks every run of DIR/<study>/ as the trained figures will; throws
// std::runtime_error naming the first file that does not fit the layout (trained/result_files.hpp).
void check_study_data(const std::filesystem::path& data_dir, const std::string& study);

// Every figure, in gallery order.
const std::vector<Figure>& all_figures();
const Figure* find_figure(const std::string& name);

}  // namespace copyproof::figures
