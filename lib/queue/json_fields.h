#pragma once
// Small pieces every queue JSON document is built from: null for what is unknown, ISO 8601 times,
// problem lists. One definition, so every command spells a field the same way.
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "queue/keys.h"
#include "util/text.h"

namespace opsctl::queue {

nlohmann::json to_json(const Problem& p);  // in json.cpp

template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

inline nlohmann::json iso(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::json(util::iso8601_utc(*ms)) : nlohmann::json(nullptr);
}

inline nlohmann::json problems_json(const std::vector<Problem>& problems) {
  auto out = nlohmann::json::array();
  for (const auto& p : problems) out.push_back(to_json(p));
  return out;
}

}  // namespace opsctl::queue
