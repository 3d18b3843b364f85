// sample-efficiency: the sample-efficiency study's curves (the three default models trained
// on 5-50 letters, where the paper found the gap): string accuracy at 50 letters against
// training examples seen, per model, mean over seeds with a 95% interval.
// Data: DIR/sample-efficiency/<run>/train.jsonl (drawn as trained-sample-efficiency is).

#include "copyproof/figures/figure.hpp"
#include "trained_data.hpp"

namespace copyproof::figures {
namespace {

const std::string kStudy = "sample-efficiency";

FigureOutput make(const FigureContext& ctx) { return sample_efficiency_output(ctx, kStudy); }

}  // namespace

Figure sample_efficiency_figure() {
  return {"sample-efficiency",
          "String accuracy on fresh strings of the longest training length (study sample-efficiency: the default "
          "transformer, Mamba and LSTM trained on 5-50 letters for 5,000 steps), measured at the eval points of "
          "training, against the number of training examples seen (step × batch): mean over seeds with a 95% "
          "interval (Student t over seeds; Wilson for a single seed).",
          "The paper's sample-efficiency experiment where it found the gap (training on longer strings): the "
          "transformer learns to copy from far fewer examples than fixed-state models",
          true,
          make,
          kStudy};
}

}  // namespace copyproof::figures
