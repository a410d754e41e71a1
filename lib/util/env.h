#pragma once
// The environment as lib/ sees it: a lookup function handed down from cmd/ (Io::env), so that no
// library code reads the process environment behind the caller's back and tests can fake it.
#include <functional>
#include <optional>
#include <string>

namespace opsctl::util {

// The value of a variable; nullopt when it is unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The value when it is set and not empty; nullopt otherwise (also for an empty lookup function).
inline std::optional<std::string> non_empty_env(const EnvLookup& env, const std::string& name) {
  if (!env) return std::nullopt;
  std::optional<std::string> value = env(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

}  // namespace opsctl::util
