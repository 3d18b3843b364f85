// The list of figures, in gallery order. A new figure: a fig_<name>.cpp defining
// <name>_figure(), one declaration and one line below (docs/conventions.md).

#include "copyproof/figures/figure.hpp"

namespace copyproof::figures {

Figure state_vs_length_figure();
Figure error_vs_length_figure();
Figure error_bound_presets_figure();
Figure debruijn_margins_figure();
Figure trained_length_generalization_figure();
Figure trained_sample_efficiency_figure();
Figure dup_ngram_probe_figure();
Figure state_sweep_bound_figure();
Figure state_sweep_small_bound_figure();
Figure positional_length_generalization_figure();
Figure sample_efficiency_figure();
Figure lookup_length_generalization_figure();

const std::vector<Figure>& all_figures() {
  static const std::vector<Figure> figures = {
      state_vs_length_figure(),
      error_vs_length_figure(),
      error_bound_presets_figure(),
      debruijn_margins_figure(),
      trained_length_generalization_figure(),
      trained_sample_efficiency_figure(),
      dup_ngram_probe_figure(),
      state_sweep_bound_figure(),
      state_sweep_small_bound_figure(),
      positional_length_generalization_figure(),
      sample_efficiency_figure(),
      lookup_length_generalization_figure(),
  };
  return figures;
}

}  // namespace copyproof::figures
