// The libFuzzer build of fuzz_results_json compiles only the trained figures (the others
// reach into construction/ and ssm_bounds/, hours of ASan compiling on the shared machine);
// find_figure (table.cpp) needs all_figures(), which here lists those three. The replay
// build links the real registry instead.

#include "copyproof/figures/figure.hpp"

namespace copyproof::figures {

Figure trained_length_generalization_figure();
Figure trained_sample_efficiency_figure();
Figure dup_ngram_probe_figure();

const std::vector<Figure>& all_figures() {
  static const std::vector<Figure> figures = {trained_length_generalization_figure(),
                                              trained_sample_efficiency_figure(), dup_ngram_probe_figure()};
  return figures;
}

}  // namespace copyproof::figures
