// error-vs-length: Theorem 2.3 and Lemma 2.4 at D = 4. The copy transformer's measured
// string error on uniform strings, p_ngram (exact where the trail count fits, Monte Carlo
// otherwise) and Lemma 2.4's bound min(1, C(L-n+1, 2) D^-n), against L from 2n to past D^n.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "copyproof/construction/verifier.hpp"
#include "copyproof/figures/figure.hpp"
#include "copyproof/ssm_bounds/ngram_probability.hpp"
#include "plot_helpers.hpp"

namespace copyproof::figures {
namespace {

constexpr int kAlphabet = 4;
const std::vector<int> kNgrams = {4, 6, 8};

struct Sizes {
  double grid_factor;          // consecutive lengths differ by this factor
  int measure_every;           // the transformer runs on every k-th length of the grid
  std::int64_t strings;        // strings the transformer copies per measured point
  std::int64_t max_measured;   // longest L measured (a string costs ~2 ms plus ~8 L^2 layer-2 pairs)
  std::uint64_t mc_samples;    // Monte Carlo samples for p_ngram where no exact count fits,
  std::uint64_t mc_letters;    // ... fewer (at least 500) past this many letters in all
  std::uint64_t trail_budget;  // de Bruijn trail search nodes before falling back to Monte Carlo
};

Sizes sizes_for(bool quick) {
  // Full: 1000 strings a point (issue 12) on lengths a factor 2 apart up to 256: 16,000
  // strings, the bulk of the figure's time.
  if (quick) return {2.0, 1, 200, 128, 1000, 2'000'000, std::uint64_t{1} << 16};
  return {std::sqrt(2.0), 2, 1000, 256, 10000, 50'000'000, std::uint64_t{1} << 20};
}

// 2n, 2n r, 2n r^2, ... rounded, up to the first length past D^n (where p_ngram = 1).
std::vector<std::int64_t> length_grid(int ngram, double factor) {
  const double past = 2.0 * std::pow(kAlphabet, ngram);
  std::vector<std::int64_t> grid;
  for (double x = 2.0 * ngram;; x *= factor) {
    const auto length = static_cast<std::int64_t>(std::llround(x));
    if (grid.empty() || length > grid.back()) grid.push_back(length);
    if (length > past) break;
  }
  return grid;
}

FigureOutput make(const FigureContext& ctx) {
  const Sizes sizes = sizes_for(ctx.quick);
  FigureOutput out;
  out.table.columns = {"n",           "L",       "p_ngram",        "p_low",        "p_high",       "p_method",
                       "lemma_bound", "strings", "measured_error", "measured_low", "measured_high"};
  for (int ngram : kNgrams) {
    ctx.note("error-vs-length: n = " + std::to_string(ngram));
    const auto grid = length_grid(ngram, sizes.grid_factor);
    for (std::size_t g = 0; g < grid.size(); ++g) {
      const std::int64_t length = grid[g];
      const ssm_bounds::NgramQuery query{kAlphabet, ngram, length};
      auto exact = ssm_bounds::closed_form_ngram_probability(query);
      if (!exact) exact = ssm_bounds::count_de_bruijn_trails(query, sizes.trail_budget);
      double p = 0, p_low = 0, p_high = 0;
      std::string method;
      if (exact) {
        p = p_low = p_high = exact->probability.convert_to<double>();
        method = "exact";
      } else {
        // Samples seeded per point so that no two points share strings.
        const std::uint64_t samples =
            std::max<std::uint64_t>(500, std::min<std::uint64_t>(sizes.mc_samples, sizes.mc_letters / length));
        const auto estimate = ssm_bounds::estimate_ngram_probability(
            query, samples, ctx.seed * 1000003 + static_cast<std::uint64_t>(ngram * 1000 + length), ctx.threads);
        p = estimate.probability, p_low = estimate.ci_low, p_high = estimate.ci_high;
        method = "monte-carlo";
      }
      std::vector<std::string> measured = {num(0), num(std::nan("")), num(std::nan("")), num(std::nan(""))};
      if (length <= sizes.max_measured && g % sizes.measure_every == 0) {
        construction::VerifyConfig config;
        config.alphabet = kAlphabet;
        config.ngram = ngram;
        config.length = length;
        config.samples = sizes.strings;
        config.source = construction::SourceKind::uniform;
        config.seed = ctx.seed;
        config.threads = ctx.threads;
        const auto report = construction::verify(config);
        const auto failed = static_cast<std::uint64_t>(report.strings - report.strings_copied);
        const auto [low, high] = ssm_bounds::wilson_interval_95(failed, static_cast<std::uint64_t>(report.strings));
        measured = {num(report.strings), num(report.string_error), num(low), num(high)};
      }
      std::vector<std::string> row = {num(ngram),
                                      num(length),
                                      num(p),
                                      num(p_low),
                                      num(p_high),
                                      method,
                                      num(construction::lemma_bound(kAlphabet, ngram, length))};
      row.insert(row.end(), measured.begin(), measured.end());
      out.table.add_row(std::move(row));
    }
  }

  out.plot.title =
      "The copy transformer errs exactly on strings with a repeated n-gram: error = p_{ngram} ≤ Lemma 2.4 (D = 4)";
  out.plot.width = 1150;
  Panel panel;
  panel.xlabel = "string length L (letters)";
  panel.ylabel = "probability over uniform strings";
  panel.logx = true;
  panel.yrange = "[0:1.05]";
  panel.key = "outside right top vertical Left reverse width -2 spacing 1.1";
  for (std::size_t i = 0; i < kNgrams.size(); ++i) {
    const std::string n = std::to_string(kNgrams[i]);
    const std::string is_n = equals("n", n);
    panel.series.push_back({"n = " + n + ": transformer error (95% Wilson)",
                            using_of({col("L"), where(is_n + " && " + col("strings") + " > 0", "measured_error"),
                                      col("measured_low"), col("measured_high")}),
                            "yerrorbars pt 7 ps 0.7 " + palette(i)});
    panel.series.push_back({"n = " + n + ": p_{ngram} (exact / Monte Carlo)",
                            using_of({col("L"), where(is_n, "p_ngram")}), "lines lw 2 " + palette(i)});
    panel.series.push_back({"n = " + n + ": Lemma 2.4 bound", using_of({col("L"), where(is_n, "lemma_bound")}),
                            "lines lw 1.5 dt 2 " + palette(i)});
  }
  out.plot.panels.push_back(std::move(panel));
  return out;
}

}  // namespace

Figure error_vs_length_figure() {
  return {"error-vs-length",
          "The copy transformer's string error on uniform strings over D = 4 letters, for n-gram sizes 4, 6 "
          "and 8, against the string length L from 2n to past D^n: measured (points, 95% Wilson intervals), "
          "p_ngram (the probability of a repeated n-gram; exact by counting de Bruijn trails, or Monte Carlo), "
          "and Lemma 2.4's bound min(1, C(L-n+1, 2) D^-n).",
          "Theorem 2.3 (err <= p_ngram, with equality for the hash construction) and Lemma 2.4",
          false,
          make,
          ""};
}

}  // namespace copyproof::figures
