#pragma once
// AdamW (Loshchilov & Hutter, 2019) with global-norm gradient clipping, and the learning
// rate schedule: linear warmup, then cosine decay to a floor.

#include <copyproof/trained/tensor.hpp>

#include <vector>

namespace copyproof::trained {

struct AdamWConfig {
  double beta1 = 0.9;
  double beta2 = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.01;  // applied to weight matrices only (SlotInfo::decay)
  double clip = 1.0;           // global gradient norm cap; <= 0 disables
};

// lr at `step` (0-based) of `total`: peak * (step + 1) / warmup during warmup, then cosine
// from peak down to floor * peak at the last step. The default decays to zero: with a 10%
// floor the transformer, at ~1e-4 nats, kept taking loss spikes in its last thousand steps
// (Adam's tiny second moments turn a rare nonzero gradient into a large step).
double scheduled_lr(int step, int total, int warmup, double peak, double floor = 0.0);

class AdamW {
 public:
  AdamW(const ParameterLayout& layout, const AdamWConfig& config);
  // Clips grads in place, updates params; returns the gradient norm before clipping.
  double step(float* params, float* grads, double lr);

 private:
  const ParameterLayout& layout_;
  AdamWConfig config_;
  std::vector<float> m_, v_;
  long long t_ = 0;
};

}  // namespace copyproof::trained
