#pragma once
// Parsing JSON from outside (a file a user names) with a limit on nesting. nlohmann parses
// and destroys a document of any depth without recursion, but copying one (json's copy
// constructor) and writing one out (dump, as in an error message) recurse once per level:
// a 400 KB result file of nested brackets overflowed the stack of `copyproof figures` and
// `study --summary` (reliability.md, finding 16). No file copyproof reads nests deeper than
// a few levels, so a document deeper than kMaxOutsideJsonDepth is refused while parsing,
// before any reader can recurse on it.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace copyproof {

inline constexpr int kMaxOutsideJsonDepth = 64;

// nlohmann::json::parse(text), except that an array or object opened inside
// kMaxOutsideJsonDepth others is a parse error (nlohmann::json::parse_error, like every
// other malformed text, so the callers' error paths stay as they are).
inline nlohmann::json parse_outside_json(std::string_view text) {
  using json = nlohmann::json;
  // depth: the arrays and objects already open when this event is reported.
  const json::parser_callback_t limit = [](int depth, json::parse_event_t event, json&) {
    const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens && depth >= kMaxOutsideJsonDepth)
      throw json::parse_error::create(
          101, 0, "nested deeper than " + std::to_string(kMaxOutsideJsonDepth) + " arrays or objects", nullptr);
    return true;
  };
  return json::parse(text, limit);
}

}  // namespace copyproof
