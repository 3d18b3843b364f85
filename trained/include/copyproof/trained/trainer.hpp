#pragma once
// The training loop: batches generated on the fly, micro-batches spread over threads,
// AdamW with warmup + cosine, periodic greedy evaluation. Never prints: progress goes to
// the caller's callback.

#include <copyproof/trained/adamw.hpp>
#include <copyproof/trained/network.hpp>
#include <copyproof/trained/tasks.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace copyproof::trained {

// A batch is cut into micro-batches of this many sequences, each with its own gradient
// buffer, summed in a fixed order: the result is the same for any thread count.
inline constexpr int kMicroBatch = 8;

struct TrainConfig {
  Task task = Task::copy;
  int min_length = 5, max_length = 20, ngram = 3;
  int alphabet = kDefaultAlphabet;  // letters of training and eval strings: the first D (tasks.hpp)
  int steps = 1, batch = 1, warmup = 1;
  double lr = 1e-3;
  AdamWConfig adamw;
  std::uint64_t seed = 0;
  int threads = 1;
  int eval_every = 0;     // 0: no evaluation during training
  int eval_samples = 64;  // fresh strings of max_length per evaluation point
};

struct TrainProgress {
  int step = 0;     // 1-based, steps done
  double loss = 0;  // mean cross-entropy per answer token of this step's batch
  double lr = 0;
  double grad_norm = 0;
  double seconds = 0;
  bool evaluated = false;  // eval_* are set
  int eval_length = 0;
  double eval_string_accuracy = 0, eval_token_accuracy = 0;
};

// Trains params (initialized by the caller) in place; on_step is called after every step.
void train(const Network<float>& net, Buffer<float>& params, const TrainConfig& config,
           const std::function<void(const TrainProgress&)>& on_step);

}  // namespace copyproof::trained
