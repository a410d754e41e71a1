#include "runbook/action.h"

#include <fmt/format.h>

#include "runbook/actions.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::runbook {

using nlohmann::json;

std::string_view to_string(ValueType t) {
  switch (t) {
    case ValueType::any: return "any";
    case ValueType::string: return "string";
    case ValueType::integer: return "int";
    case ValueType::number: return "number";
    case ValueType::boolean: return "bool";
    case ValueType::list: return "list";
    case ValueType::object: return "map";
    case ValueType::duration: return "duration";
    case ValueType::command: return "command";
  }
  return "any";
}

Error Args::error(const std::string& name, const std::string& what) const {
  return usage_error(fmt::format("action {}: argument {}: {}", action_, name, what));
}

bool Args::has(const std::string& name) const { return values_.contains(name) && !values_[name].is_null(); }

const json& Args::raw(const std::string& name) const {
  static const json null_value;
  auto it = values_.find(name);
  return it == values_.end() ? null_value : *it;
}

std::string Args::str(const std::string& name) const {
  const json& v = raw(name);
  if (v.is_null()) throw error(name, "is required");
  if (!v.is_string() && !v.is_number()) throw error(name, fmt::format("must be a string, not {}", v.type_name()));
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.empty()) throw error(name, "must not be empty");
  return s;
}

std::string Args::str_or(const std::string& name, const std::string& fallback) const {
  return has(name) ? str(name) : fallback;
}

std::int64_t Args::integer(const std::string& name) const {
  const json& v = raw(name);
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) {
    if (auto n = util::parse_int(v.get<std::string>())) return *n;
  }
  throw error(name, fmt::format("must be an integer, not {}", v.is_null() ? "nothing" : v.dump()));
}

std::int64_t Args::integer_or(const std::string& name, std::int64_t fallback) const {
  return has(name) ? integer(name) : fallback;
}

std::chrono::milliseconds Args::duration_or(const std::string& name, std::chrono::milliseconds fallback) const {
  if (!has(name)) return fallback;
  const json& v = raw(name);
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return std::chrono::milliseconds(v.get<std::int64_t>());
  if (!v.is_string()) throw error(name, fmt::format("must be a duration such as 30s, not {}", v.dump()));
  try {
    return util::parse_duration(v.get<std::string>());
  } catch (const Error& e) {
    throw error(name, e.what());
  }
}

bool Args::boolean_or(const std::string& name, bool fallback) const {
  if (!has(name)) return fallback;
  const json& v = raw(name);
  if (v.is_boolean()) return v.get<bool>();
  if (v == "true") return true;
  if (v == "false") return false;
  throw error(name, fmt::format("must be true or false, not {}", v.dump()));
}

const FindingSpec* ActionSpec::finding(const std::string& n) const {
  for (const auto& f : findings) {
    if (f.name == n) return &f;
  }
  return nullptr;
}

const ArgSpec* ActionSpec::arg(const std::string& n) const {
  for (const auto& a : args) {
    if (a.name == n) return &a;
  }
  return nullptr;
}

void ActionRegistry::add(ActionSpec spec) {
  for (auto& s : specs_) {
    if (s.name == spec.name) {
      s = std::move(spec);
      return;
    }
  }
  specs_.push_back(std::move(spec));
}

const ActionSpec* ActionRegistry::find(std::string_view name) const {
  for (const auto& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<std::string> ActionRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& s : specs_) out.push_back(s.name);
  return out;
}

const ActionRegistry& builtin_actions() {
  static const ActionRegistry registry = [] {
    ActionRegistry r;
    actions::add_queue(r);
    actions::add_health(r);
    actions::add_db(r);
    actions::add_file(r);
    actions::add_exec(r);
    actions::add_misc(r);
    actions::add_notify(r);
    actions::add_failures(r);
    actions::add_cache(r);
    actions::add_job_attempts(r);
    actions::add_scheduler(r);
    return r;
  }();
  return registry;
}

namespace actions {
std::string plural(std::int64_t n, const std::string& one, const std::string& many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}
}  // namespace actions

}  // namespace opsctl::runbook
