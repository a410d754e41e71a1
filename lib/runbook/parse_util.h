#pragma once
// Helpers of the runbook loader (internal): error reporting with file:line, key iteration, scalars.
#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "core/error.h"
#include "runbook/expr.h"
#include "runbook/model.h"

namespace opsctl::runbook::detail {

class Loader {
 public:
  explicit Loader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(int line, std::string_view what) const {
    if (line > 0) throw config_error(fmt::format("{}:{}: {}", source_, line, what));
    throw config_error(fmt::format("{}: {}", source_, what));
  }

  // yaml-cpp marks are 0-based; an empty value's mark points at the next token: use its key's line.
  static int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }
  static int line_of(const YAML::Node& key, const YAML::Node& value) {
    return value.IsNull() || !value.IsDefined() ? line_of(key) : line_of(value);
  }

  // Calls f(name, key, value) for each pair of a map; rejects non-scalar and repeated keys, and keys
  // not in allowed (a comma-separated list).
  template <class F>
  void each_pair(const YAML::Node& map, std::string_view where, std::string_view allowed, F&& f) const {
    std::map<std::string, int> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar()) fail(line_of(key), fmt::format("{}: a key must be a plain name", where));
      auto [first, fresh] = seen.emplace(key.Scalar(), line_of(key));
      if (!fresh) fail(line_of(key), fmt::format("duplicate key \"{}\" {} (first at line {})", key.Scalar(), where,
                                                 first->second));
      if (!allowed.empty() && !listed(allowed, key.Scalar())) {
        fail(line_of(key), fmt::format("unknown key \"{}\" {} (allowed: {})", key.Scalar(), where, allowed));
      }
      f(key.Scalar(), key, value);
    }
  }

  std::string text(const YAML::Node& key, const YAML::Node& v, std::string_view field, bool allow_empty = false) const;
  bool boolean(const YAML::Node& key, const YAML::Node& v, std::string_view field) const;
  // A condition: parsed now so a syntax error names the line and the column.
  Condition condition(const YAML::Node& key, const YAML::Node& v, std::string_view field) const;
  // Checks the placeholders of a template string (or of every string inside a with: value).
  void check_templates(int line, const nlohmann::json& value, std::string_view field) const;
  // A YAML value as JSON: plain scalars that read as numbers, booleans or null become those.
  nlohmann::json to_json(const YAML::Node& v) const;

  const std::string& source() const { return source_; }

 private:
  static bool listed(std::string_view allowed, std::string_view key);
  std::string source_;
};

// Step parsing (parse_steps.cpp).
Step parse_step(const Loader& l, const YAML::Node& node);

}  // namespace opsctl::runbook::detail
