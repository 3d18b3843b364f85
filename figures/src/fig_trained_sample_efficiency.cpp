// trained-sample-efficiency: string accuracy at the training length's top (the eval
// points of `train --log`) against training examples seen (step x batch), per model,
// mean over seeds with a 95% interval. Data: DIR/copy-seeds-5k/<run>/train.jsonl.

#include "copyproof/figures/figure.hpp"
#include "trained_data.hpp"

namespace copyproof::figures {
namespace {

const std::string& kStudy = kCopyStudy;

FigureOutput make(const FigureContext& ctx) { return sample_efficiency_output(ctx, kStudy); }

}  // namespace

Figure trained_sample_efficiency_figure() {
  return {"trained-sample-efficiency",
          "String accuracy on fresh strings of the longest training length (study copy-seeds-5k), measured at the eval "
          "points of "
          "training, against the number of training examples seen (step × batch): mean over seeds with a 95% "
          "interval (Student t over seeds; Wilson for a single seed).",
          "The paper's trained comparison (sample efficiency): the transformer learns to copy from fewer examples",
          true,
          make,
          kStudy};
}

}  // namespace copyproof::figures
