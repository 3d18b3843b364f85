// The shared writer: CSV, gnuplot script, and the gnuplot run (writer.hpp).

#include "copyproof/figures/writer.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "copyproof/common/atomic_file.hpp"

namespace copyproof::figures {
namespace fs = std::filesystem;

std::string csv_text(const Table& table, const std::vector<std::string>& header_comments) {
  std::ostringstream out;
  for (const auto& line : header_comments) out << "# " << line << "\n";
  auto write_row = [&out](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << cells[i];
    out << "\n";
  };
  write_row(table.columns);
  for (const auto& row : table.rows) write_row(row);
  return out.str();
}

namespace {

// A gnuplot single-quoted string (a quote inside is written twice).
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

void emit_panel(std::ostringstream& gp, const std::string& name, const Panel& panel) {
  // Panels share one multiplot, so each one first undoes what the previous one set.
  gp << "unset logscale\nunset object\nunset label\nunset arrow\nunset y2tics\nunset y2label\n"
     << "set ytics mirror\nset format x '% h'\nset format y '% h'\nset xrange [*:*]\nset yrange [*:*]\n"
     << "set datafile separator comma\n"
     << "set datafile columnheaders\n"
     << "set grid lc rgb '#dddddd'\n"
     << "set border lw 1.2\n"
     << "set title " << quoted(panel.title) << "\n"
     << "set xlabel " << quoted(panel.xlabel) << "\n"
     << "set ylabel " << quoted(panel.ylabel) << "\n";
  if (panel.logx) gp << "set logscale x\nset format x '10^{%L}'\n";
  if (panel.logy) gp << "set logscale y\nset format y '10^{%L}'\n";
  if (!panel.y2label.empty()) {
    gp << "set y2label " << quoted(panel.y2label) << "\nset y2tics\nset ytics nomirror\n";
    if (panel.logy2) gp << "set logscale y2\nset format y2 '10^{%L}'\n";
    if (!panel.y2range.empty()) gp << "set y2range " << panel.y2range << "\n";
  }
  if (!panel.xrange.empty()) gp << "set xrange " << panel.xrange << "\n";
  if (!panel.yrange.empty()) gp << "set yrange " << panel.yrange << "\n";
  gp << "set key " << panel.key << "\n";
  for (const auto& line : panel.extra) gp << line << "\n";
  gp << "plot \\\n";
  for (std::size_t i = 0; i < panel.series.size(); ++i) {
    const Series& s = panel.series[i];
    gp << "  '" << name << ".csv' using " << s.using_clause << " with " << s.style << " "
       << (s.title.empty() ? std::string("notitle") : "title " + quoted(s.title))
       << (i + 1 < panel.series.size() ? ", \\\n" : "\n");
  }
}

}  // namespace

std::string gnuplot_script(const std::string& name, const PlotSpec& spec,
                           const std::vector<std::string>& header_comments) {
  std::ostringstream gp;
  for (const auto& line : header_comments) gp << "# " << line << "\n";
  gp << "# Renders " << name << ".svg and " << name << ".png from " << name << ".csv: cd to this folder and run\n"
     << "#   gnuplot " << name << ".gp\n"
     << "if (!exists('svg_out')) svg_out = '" << name << ".svg'\n"
     << "if (!exists('png_out')) png_out = '" << name << ".png'\n"
     << "do for [format = 1:2] {\n"
     << "  reset\n"
     << "  if (format == 1) { set terminal svg size " << spec.width << "," << spec.height
     << " dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }\n"
     << "  if (format == 2) { set terminal pngcairo size " << spec.width << "," << spec.height
     << " enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }\n"
     // The figure's title over the whole page (a panel title is centred on its plot area
     // and clipped when the legend sits beside it).
     << "  set multiplot layout " << spec.rows << "," << spec.cols << " title " << quoted(spec.title)
     << " font ',14'\n";
  std::ostringstream body;
  for (const Panel& panel : spec.panels) emit_panel(body, name, panel);
  std::istringstream lines(body.str());
  for (std::string line; std::getline(lines, line);) gp << "  " << line << "\n";
  gp << "  unset multiplot\n  unset output\n}\n";
  return gp.str();
}

void write_csv_and_script(const fs::path& dir, const std::string& name, const FigureOutput& output,
                          const std::vector<std::string>& header_comments) {
  write_file_atomically((dir / (name + ".csv")).string(), csv_text(output.table, header_comments));
  write_file_atomically((dir / (name + ".gp")).string(), gnuplot_script(name, output.plot, header_comments));
}

namespace {

// Runs argv in `dir` with stdout/stderr to `log`; returns the exit status (-1: not run).
int run_in(const fs::path& dir, const std::vector<std::string>& argv, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(127);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool gnuplot_available() {
  const fs::path log = fs::temp_directory_path() / ("copyproof-gnuplot-probe." + std::to_string(::getpid()));
  const int status = run_in(fs::temp_directory_path(), {"gnuplot", "--version"}, log);
  std::error_code ignored;
  fs::remove(log, ignored);
  return status == 0;
}

std::string render(const fs::path& dir, const std::string& name) {
  // gnuplot runs in `dir` and writes the temporaries there (relative names).
  const std::string svg_tmp = temporary_path_for(name + ".svg"), png_tmp = temporary_path_for(name + ".png");
  const fs::path log = temporary_path_for((dir / (name + ".gnuplot-log")).string());
  const int status =
      run_in(dir, {"gnuplot", "-e", "svg_out='" + svg_tmp + "'; png_out='" + png_tmp + "'", name + ".gp"}, log);
  std::string messages = read_text(log);
  std::error_code ec;
  fs::remove(log, ec);
  if (status != 0 || !fs::exists(dir / svg_tmp) || !fs::exists(dir / png_tmp)) {
    fs::remove(dir / svg_tmp, ec);
    fs::remove(dir / png_tmp, ec);
    while (!messages.empty() && messages.back() == '\n') messages.pop_back();
    for (char& c : messages) c = c == '\n' ? ' ' : c;
    throw RenderError("gnuplot failed on " + (dir / (name + ".gp")).string() + ": " + messages);
  }
  try {
    rename_into_place((dir / svg_tmp).string(), (dir / (name + ".svg")).string());
    rename_into_place((dir / png_tmp).string(), (dir / (name + ".png")).string());
  } catch (const FileWriteError& e) {
    fs::remove(dir / png_tmp, ec);
    throw RenderError(std::string("cannot put the rendered ") + name + " into place: " + e.what());
  }
  return messages;
}

}  // namespace copyproof::figures
