// Table cells and the figure list's lookup (figure.hpp).

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "copyproof/figures/figure.hpp"

namespace copyproof::figures {

void Table::add_row(std::vector<std::string> cells) {
  if (cells.size() != columns.size())
    throw std::logic_error("figure table: a row of " + std::to_string(cells.size()) + " cells for " +
                           std::to_string(columns.size()) + " columns");
  rows.push_back(std::move(cells));
}

std::string num(double value) {
  if (std::isnan(value)) return "nan";
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

std::string num(std::int64_t value) { return std::to_string(value); }

int PlotSpec::series_count() const {
  int count = 0;
  for (const auto& panel : panels) count += static_cast<int>(panel.series.size());
  return count;
}

const Figure* find_figure(const std::string& name) {
  for (const auto& figure : all_figures())
    if (figure.name == name) return &figure;
  return nullptr;
}

}  // namespace copyproof::figures
