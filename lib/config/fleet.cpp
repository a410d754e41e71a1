#include "config/fleet.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"

namespace opsctl::config {
namespace {

std::string known_names(const Config& cfg) {
  if (cfg.contexts.empty()) return "the config has no contexts";
  std::vector<std::string> names;
  for (const auto& c : cfg.contexts) names.push_back(c.name);
  return fmt::format("contexts: {}", fmt::join(names, ", "));
}

std::string where(const Config& cfg) {
  return cfg.exists ? cfg.path.string() : cfg.path.string() + " (no such file)";
}

}  // namespace

bool is_fleet(const std::string& context_flag, bool all_contexts) {
  return all_contexts || context_flag.find(',') != std::string::npos;
}

std::vector<std::string> resolve_fleet(const Config& cfg, const std::string& context_flag, bool all_contexts) {
  std::vector<std::string> names;
  if (all_contexts) {
    if (!context_flag.empty()) throw usage_error("--context and --all-contexts exclude each other: give one of them");
    for (const auto& c : cfg.contexts) names.push_back(c.name);
    if (names.empty()) throw usage_error(fmt::format("--all-contexts: {} has no contexts", where(cfg)));
    return names;
  }
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = context_flag.find(',', start);
    std::string name = context_flag.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name.empty()) throw usage_error(fmt::format("--context '{}': an empty context name", context_flag));
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      throw usage_error(fmt::format("--context '{}': context '{}' is given twice", context_flag, name));
    }
    if (!cfg.find(name)) {
      throw usage_error(fmt::format("--context: no context '{}' in {} ({})", name, where(cfg), known_names(cfg)));
    }
    names.push_back(std::move(name));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

}  // namespace opsctl::config
