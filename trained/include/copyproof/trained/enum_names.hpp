#pragma once
// The one mapping between an enum and the words the CLI and checkpoints use for it.

#include <array>
#include <string>
#include <utility>

namespace copyproof::trained {

template <class E, std::size_t N>
using EnumNames = std::array<std::pair<E, const char*>, N>;

template <class E, std::size_t N>
std::string name_of(const EnumNames<E, N>& names, E value) {
  for (const auto& [v, name] : names)
    if (v == value) return name;
  return "?";
}

template <class E, std::size_t N>
bool parse_name(const EnumNames<E, N>& names, const std::string& text, E& out) {
  for (const auto& [v, name] : names)
    if (text == name) {
      out = v;
      return true;
    }
  return false;
}

}  // namespace copyproof::trained
