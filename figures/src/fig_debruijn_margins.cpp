// debruijn-margins: the proof's two margins measured along de Bruijn strings B(D, n)
// (every n-gram once, so every output position is a unique match) of growing length:
// the smallest softmax mass on the matched key against the floor the parameters
// guarantee and the b/(b+1) the argmax needs, and the largest layer-1 error against its
// bound. Every string drawn here was also copied exactly (the table's `copied` column).

#include <cstdint>

#include "copyproof/construction/copy_parameters.hpp"
#include "copyproof/construction/verifier.hpp"
#include "copyproof/figures/figure.hpp"
#include "plot_helpers.hpp"

namespace copyproof::figures {
namespace {

struct Family {
  int alphabet, min_ngram, max_ngram, max_ngram_quick;
};
// D = 2 up to n = 13 (L = 8204) and D = 4 up to n = 7 (L = 16390): a few seconds on 2
// cores (`copyproof check` runs B(4, 8) itself).
const std::vector<Family> kFamilies = {{2, 3, 13, 9}, {4, 2, 7, 5}};

FigureOutput make(const FigureContext& ctx) {
  FigureOutput out;
  out.table.columns = {"D",
                       "n",
                       "L",
                       "copied",
                       "violations",
                       "min_match_mass",
                       "match_mass_floor",
                       "argmax_threshold",
                       "sufficient_match_mass",
                       "max_layer1_error",
                       "layer1_error_bound"};
  for (const auto& family : kFamilies) {
    const int top = ctx.quick ? family.max_ngram_quick : family.max_ngram;
    for (int ngram = family.min_ngram; ngram <= top; ++ngram) {
      ctx.note("debruijn-margins: B(" + std::to_string(family.alphabet) + ", " + std::to_string(ngram) + ")");
      construction::VerifyConfig config;
      config.alphabet = family.alphabet;
      config.ngram = ngram;
      config.samples = 1;
      config.source = construction::SourceKind::debruijn;
      config.seed = ctx.seed;
      config.threads = ctx.threads;
      const auto r = construction::verify(config);
      out.table.add_row({num(family.alphabet), num(ngram), num(r.length), num(r.strings_copied), num(r.violations),
                         num(r.min_match_mass), num(r.parameters.match_mass_floor),
                         num(construction::argmax_match_mass_threshold()), num(r.parameters.sufficient_match_mass),
                         num(r.max_layer1_error), num(r.parameters.layer1_error_bound)});
    }
  }

  out.plot.title = "Along de Bruijn strings every margin of the proof holds with room to spare (Theorem 2.3)";
  out.plot.width = 1300;
  out.plot.height = 600;
  out.plot.cols = 2;
  Panel mass, layer1;
  mass.title = "layer 2: softmax mass on the matched key";
  mass.xlabel = layer1.xlabel = "length of the de Bruijn string B(D, n) (letters)";
  mass.ylabel = "mass (fraction of attention)";
  mass.logx = layer1.logx = true;
  // From 0, so the legend (bottom right) sits below every line, the threshold 1/2 included.
  mass.yrange = "[0:1.02]";
  mass.key = "bottom right Left reverse spacing 1.1 font ',10'";
  layer1.title = "layer 1: error of the gathered n-gram codes";
  layer1.ylabel = "max |stream - exact code|";
  layer1.logy = true;
  layer1.yrange = "[1e-9:1e-4]";
  layer1.key = "top left Left reverse spacing 1.1 font ',10'";
  for (std::size_t i = 0; i < kFamilies.size(); ++i) {
    const std::string d = std::to_string(kFamilies[i].alphabet);
    const std::string is_d = equals("D", d);
    mass.series.push_back({"D = " + d + ": smallest measured", using_of({col("L"), where(is_d, "min_match_mass")}),
                           "linespoints lw 2 pt 7 " + palette(i)});
    mass.series.push_back({"D = " + d + ": floor the parameters guarantee",
                           using_of({col("L"), where(is_d, "match_mass_floor")}),
                           "linespoints lw 1.5 dt 2 pt 6 " + palette(i)});
    mass.series.push_back({"D = " + d + ": the proof's sufficient floor b/(b+1)",
                           using_of({col("L"), where(is_d, "sufficient_match_mass")}),
                           "lines lw 1.5 dt 3 " + palette(i)});
    layer1.series.push_back({"D = " + d + ": largest measured (fp32)",
                             using_of({col("L"), where(is_d, "max_layer1_error")}),
                             "linespoints lw 2 pt 7 " + palette(i)});
    layer1.series.push_back({"D = " + d + ": bound the proof uses",
                             using_of({col("L"), where(is_d, "layer1_error_bound")}),
                             "lines lw 1.5 dt 2 " + palette(i)});
  }
  // The exact threshold is 1/2 for every D (copy_parameters.hpp): one line, not one per D.
  mass.series.push_back({"argmax right iff mass > 1/2 (exact threshold)", using_of({col("L"), col("argmax_threshold")}),
                         "lines lw 2 dt 4 lc rgb 'black'"});
  out.plot.panels = {mass, layer1};
  return out;
}

}  // namespace

Figure debruijn_margins_figure() {
  return {"debruijn-margins",
          "The construction run on de Bruijn strings B(D, n) (every n-gram exactly once) for D = 2, n = 3..13 and "
          "D = 4, n = 2..7: the smallest softmax mass on the matched key next to the floor the parameters "
          "guarantee and the b/(b+1) the argmax needs (left), and the largest layer-1 error next to its bound "
          "(right).",
          "Theorem 2.3's proof (docs/construction.md): the margins that make the copy exact",
          false,
          make,
          ""};
}

}  // namespace copyproof::figures
