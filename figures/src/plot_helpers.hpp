#pragma once
// Small helpers the figure files share: gnuplot using-clause builders over named CSV
// columns, and one palette so a model or a parameter has the same colour everywhere.

#include <string>
#include <vector>

namespace copyproof::figures {

// "column('name')"
inline std::string col(const std::string& name) { return "column('" + name + "')"; }

// The value of `column` on rows where `condition` holds, NaN (not drawn) elsewhere.
inline std::string where(const std::string& condition, const std::string& column) {
  return "(" + condition + " ? " + col(column) + " : NaN)";
}
inline std::string equals(const std::string& column, const std::string& value) { return col(column) + " == " + value; }
inline std::string text_equals(const std::string& column, const std::string& value) {
  return "strcol('" + column + "') eq '" + value + "'";
}

// "(x):(y)", "(x):(y):(lo):(hi)", ...
inline std::string using_of(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ":" : "") + std::string("(") + parts[i] + ")";
  return out;
}

// A colour-blind-safe qualitative palette (Okabe-Ito), as gnuplot colour specs.
inline std::string palette(std::size_t i) {
  static const std::vector<std::string> colours = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                   "#E69F00", "#56B4E9", "#000000", "#999999"};
  return "lc rgb '" + colours[i % colours.size()] + "'";
}

}  // namespace copyproof::figures
