#include <copyproof/trained/evaluate.hpp>
#include <copyproof/trained/trainer.hpp>

#include <copyproof/common/resident_heap.hpp>

#include <omp.h>
#include <Eigen/Core>

#include <algorithm>
#include <chrono>

namespace copyproof::trained {

namespace {
// Evaluation strings come from streams no training batch uses (training uses seed itself).
constexpr std::uint64_t kEvalSeedSalt = 0x5EEDE7A1ULL;
}  // namespace

void train(const Network<float>& net, Buffer<float>& params, const TrainConfig& c,
           const std::function<void(const TrainProgress&)>& on_step) {
  // Threads split the batch (micro-batches); Eigen's own OpenMP GEMM threading would nest
  // inside them and spin, so it is compiled out project-wide (EIGEN_DONT_PARALLELIZE in the
  // top-level CMakeLists.txt): each product runs on the thread that calls it.
  // Each step allocates and frees the same activation buffers (hundreds of KiB each).
  keep_freed_memory_resident();
  const std::size_t P = net.parameter_count();
  const int micro_count = (c.batch + kMicroBatch - 1) / kMicroBatch;
  std::vector<Buffer<float>> micro_grads(static_cast<std::size_t>(micro_count), Buffer<float>(P));
  std::vector<double> micro_loss(static_cast<std::size_t>(micro_count));
  std::vector<std::unique_ptr<ActivationsBase>> acts;
  for (int i = 0; i < micro_count; ++i) acts.push_back(net.new_activations());
  Buffer<float> grads(P);
  AdamW optimizer(net.layout(), c.adamw);
  const auto start = std::chrono::steady_clock::now();

  for (int step = 0; step < c.steps; ++step) {
    const TokenBatch batch =
        make_batch(c.task, c.batch, c.min_length, c.max_length, c.ngram, c.seed,
                   static_cast<std::uint64_t>(step) * static_cast<std::uint64_t>(c.batch), c.alphabet);
    // The loss is the mean over the whole batch's answer tokens: each micro-batch's summed
    // loss is scaled by 1 / (answer tokens in the batch), so the micro-gradients add up.
    const float scale = 1.0f / static_cast<float>(std::max(1LL, batch.scored_count()));
#pragma omp parallel for num_threads(c.threads) schedule(dynamic, 1)
    for (int m = 0; m < micro_count; ++m) {
      const int first = m * kMicroBatch;
      const TokenBatch micro = slice_batch(batch, first, std::min(kMicroBatch, c.batch - first));
      auto& g = micro_grads[static_cast<std::size_t>(m)];
      std::fill(g.begin(), g.end(), 0.0f);
      micro_loss[static_cast<std::size_t>(m)] =
          loss_and_gradient<float>(net, *acts[static_cast<std::size_t>(m)], params.data(), g.data(), micro, scale);
    }
    std::fill(grads.begin(), grads.end(), 0.0f);
    double loss = 0;
    for (int m = 0; m < micro_count; ++m) {
      const auto& g = micro_grads[static_cast<std::size_t>(m)];
      for (std::size_t i = 0; i < P; ++i) grads[i] += g[i];
      loss += micro_loss[static_cast<std::size_t>(m)];
    }
    const double lr = scheduled_lr(step, c.steps, c.warmup, c.lr);
    TrainProgress p;
    p.step = step + 1;
    p.loss = loss * scale;
    p.lr = lr;
    p.grad_norm = optimizer.step(params.data(), grads.data(), lr);
    if (c.eval_every > 0 && (p.step % c.eval_every == 0 || p.step == c.steps)) {
      const EvalResult r = evaluate(net, params.data(), c.task, c.max_length, c.ngram, c.eval_samples,
                                    c.seed ^ kEvalSeedSalt, c.threads, c.alphabet);
      p.evaluated = true;
      p.eval_length = c.max_length;
      p.eval_string_accuracy = r.string_accuracy;
      p.eval_token_accuracy = r.token_accuracy;
    }
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    on_step(p);
  }
}

}  // namespace copyproof::trained
