#pragma once
// Internal: the three architectures' factories and the init helpers they share.

#include <copyproof/common/random.hpp>
#include <copyproof/trained/network.hpp>

namespace copyproof::trained {

template <class T>
std::unique_ptr<Network<T>> make_transformer(const ModelConfig& config);
template <class T>
std::unique_ptr<Network<T>> make_mamba(const ModelConfig& config);
template <class T>
std::unique_ptr<Network<T>> make_lstm(const ModelConfig& config);

template <class T>
void fill_normal(T* params, Slot s, double std, Rng& rng) {
  for (std::size_t i = 0; i < s.size(); ++i) params[s.offset + i] = T(std * rng.normal());
}
template <class T>
void fill_uniform(T* params, Slot s, double bound, Rng& rng) {
  for (std::size_t i = 0; i < s.size(); ++i) params[s.offset + i] = T(bound * (2 * rng.uniform() - 1));
}
template <class T>
void fill_constant(T* params, Slot s, double value) {
  for (std::size_t i = 0; i < s.size(); ++i) params[s.offset + i] = T(value);
}

}  // namespace copyproof::trained
