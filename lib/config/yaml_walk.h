#pragma once
// YAML walking shared by the config file and runbook loaders: 1-based line numbers for messages,
// a word for a node's kind, and key iteration that rejects what yaml-cpp silently accepts
// (non-scalar and repeated keys). fail(line, message) is the loader's own [[noreturn]] reporter.
#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "util/redact.h"

namespace opsctl::config {

// yaml-cpp marks are 0-based; 0 when a node has no mark.
inline int yaml_line(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

// An empty value's mark points at the next token: report its key's line instead.
inline int yaml_line(const YAML::Node& key, const YAML::Node& value) {
  return value.IsNull() || !value.IsDefined() ? yaml_line(key) : yaml_line(value);
}

inline std::string_view yaml_kind(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  if (n.IsNull()) return "empty";
  return "a scalar";
}

// Calls f(name, key, value) for each pair of map; a non-scalar or repeated key goes to fail.
template <class Fail, class F>
void for_each_pair(const YAML::Node& map, std::string_view where, const Fail& fail, F&& f) {
  std::map<std::string, int> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    // Copies: it-> returns a proxy that dies at the end of the expression.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) fail(yaml_line(key), fmt::format("{}: a key must be a plain name", where));
    auto [first, fresh] = seen.emplace(key.Scalar(), yaml_line(key));
    if (!fresh) {
      fail(yaml_line(key), fmt::format("duplicate key \"{}\" {} (first at line {})", util::redact(key.Scalar()),
                                       where, first->second));
    }
    f(key.Scalar(), key, value);
  }
}

}  // namespace opsctl::config
