#include <copyproof/trained/adamw.hpp>

#include <cmath>
#include <numbers>

namespace copyproof::trained {

double scheduled_lr(int step, int total, int warmup, double peak, double floor) {
  if (step < warmup) return peak * (step + 1) / warmup;
  const int span = std::max(1, total - warmup - 1);
  const double progress = std::min(1.0, static_cast<double>(step - warmup) / span);
  return peak * (floor + (1 - floor) * 0.5 * (1 + std::cos(std::numbers::pi * progress)));
}

AdamW::AdamW(const ParameterLayout& layout, const AdamWConfig& config)
    : layout_(layout), config_(config), m_(layout.size(), 0.0f), v_(layout.size(), 0.0f) {}

double AdamW::step(float* params, float* grads, double lr) {
  const std::size_t n = layout_.size();
  double sq = 0;
  for (std::size_t i = 0; i < n; ++i) sq += static_cast<double>(grads[i]) * grads[i];
  const double norm = std::sqrt(sq);
  const double clip_scale = (config_.clip > 0 && norm > config_.clip) ? config_.clip / norm : 1.0;
  ++t_;
  const double bc1 = 1 - std::pow(config_.beta1, static_cast<double>(t_));
  const double bc2 = 1 - std::pow(config_.beta2, static_cast<double>(t_));
  const auto b1 = static_cast<float>(config_.beta1), b2 = static_cast<float>(config_.beta2);
  for (const SlotInfo& info : layout_.slots()) {
    const float decay = info.decay ? static_cast<float>(lr * config_.weight_decay) : 0.0f;
    for (std::size_t i = info.slot.offset; i < info.slot.offset + info.slot.size(); ++i) {
      const float g = static_cast<float>(grads[i] * clip_scale);
      m_[i] = b1 * m_[i] + (1 - b1) * g;
      v_[i] = b2 * v_[i] + (1 - b2) * g * g;
      const double update = (m_[i] / bc1) / (std::sqrt(v_[i] / bc2) + config_.eps);
      params[i] -= static_cast<float>(lr * update) + decay * params[i];  // decoupled decay
    }
  }
  return norm;
}

}  // namespace copyproof::trained
