#pragma once
// Helpers of the runbook loader (internal): error reporting with file:line, key iteration, scalars.
#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "config/yaml_walk.h"
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

  static int line_of(const YAML::Node& n) { return config::yaml_line(n); }
  static int line_of(const YAML::Node& key, const YAML::Node& value) { return config::yaml_line(key, value); }

  // Calls f(name, key, value) for each pair of a map; rejects non-scalar and repeated keys, and keys
  // not in allowed (a comma-separated list).
  template <class F>
  void each_pair(const YAML::Node& map, std::string_view where, std::string_view allowed, F&& f) const {
    config::for_each_pair(map, where, [this](int line, std::string_view what) { fail(line, what); },
                          [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                            if (!allowed.empty() && !listed(allowed, name)) {
                              fail(line_of(key), fmt::format("unknown key \"{}\" {} (allowed: {})", name, where,
                                                             allowed));
                            }
                            f(name, key, value);
                          });
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
NotifySpec parse_notify(const Loader& l, const YAML::Node& key, const YAML::Node& v);

}  // namespace opsctl::runbook::detail
