// The runbook loader: top level and parameters here, steps in parse_steps.cpp. Every problem is a
// config_error "<source>:<line>: <what>" (exit 78).
#include "runbook/parse.h"

#include <regex>

#include "runbook/params.h"
#include "runbook/parse_util.h"
#include "runbook/template.h"

namespace opsctl::runbook {
namespace detail {

using nlohmann::json;

bool Loader::listed(std::string_view allowed, std::string_view key) {
  std::size_t pos = 0;
  while (pos <= allowed.size()) {
    std::size_t end = allowed.find(',', pos);
    if (end == std::string_view::npos) end = allowed.size();
    std::string_view item = allowed.substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item == key) return true;
    pos = end + 1;
  }
  return false;
}

std::string Loader::text(const YAML::Node& key, const YAML::Node& v, std::string_view field, bool allow_empty) const {
  if (!v.IsScalar() && !(allow_empty && v.IsNull())) fail(line_of(key, v), fmt::format("{} must be a string", field));
  std::string s = v.IsScalar() ? v.Scalar() : "";
  if (!allow_empty && s.empty()) fail(line_of(key, v), fmt::format("{} must not be empty", field));
  return s;
}

bool Loader::boolean(const YAML::Node& key, const YAML::Node& v, std::string_view field) const {
  bool b = false;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) fail(line_of(key, v), fmt::format("{} must be true or false", field));
  return b;
}

Condition Loader::condition(const YAML::Node& key, const YAML::Node& v, std::string_view field) const {
  std::string s = text(key, v, field);
  try {
    return Condition{Expr::parse(s), line_of(key, v)};
  } catch (const ExprError& e) {
    fail(line_of(key, v), fmt::format("{}: {} at column {} of '{}'", field, e.what(), e.pos() + 1, s));
  }
}

void Loader::check_templates(int line, const json& value, std::string_view field) const {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    try {
      (void)Template::parse(s);
    } catch (const ExprError& e) {
      fail(line, fmt::format("{}: {} at column {} of '{}'", field, e.what(), e.pos() + 1, s));
    }
  } else if (value.is_array() || value.is_object()) {
    for (const auto& v : value) check_templates(line, v, field);
  }
}

json Loader::to_json(const YAML::Node& v) const {
  if (!v.IsDefined() || v.IsNull()) return nullptr;
  if (v.IsScalar()) {
    if (v.Tag() != "?") return v.Scalar();  // quoted: always a string
    const std::string& s = v.Scalar();
    static const std::regex integer("-?[0-9]+"), real("-?[0-9]+\\.[0-9]+");
    if (s == "true" || s == "false") return s == "true";
    if (std::regex_match(s, integer)) {
      try {
        return std::stoll(s);
      } catch (const std::exception&) {
        return s;
      }
    }
    if (std::regex_match(s, real)) return std::stod(s);
    return s;
  }
  if (v.IsSequence()) {
    json out = json::array();
    for (const auto& item : v) out.push_back(to_json(item));
    return out;
  }
  json out = json::object();
  each_pair(v, "in a map", "", [&](const std::string& k, const YAML::Node&, const YAML::Node& value) {
    out[k] = to_json(value);
  });
  return out;
}

namespace {

ParamType param_type(const Loader& l, const YAML::Node& key, const YAML::Node& v) {
  std::string t = l.text(key, v, "type");
  for (ParamType p : {ParamType::string, ParamType::integer, ParamType::duration, ParamType::url, ParamType::path,
                      ParamType::command}) {
    if (t == to_string(p)) return p;
  }
  l.fail(Loader::line_of(key, v), fmt::format("type \"{}\" is not one of string, int, duration, url, path, command", t));
}

Param parse_param(const Loader& l, const YAML::Node& node) {
  Param p;
  p.line = Loader::line_of(node);
  if (!node.IsMap()) l.fail(p.line, "each parameter must be a map with name, type, required, default, help");
  YAML::Node default_key;
  l.each_pair(node, "in a parameter", "name, type, required, default, choices, help",
              [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) {
                if (k == "name") p.name = l.text(key, v, "name");
                if (k == "type") p.type = param_type(l, key, v);
                if (k == "required") p.required = l.boolean(key, v, "required");
                if (k == "help") p.help = l.text(key, v, "help", true);
                if (k == "default") {
                  p.default_text = l.text(key, v, "default", true);
                  default_key = key;
                }
                if (k == "choices") {
                  if (!v.IsSequence() || v.size() == 0) l.fail(Loader::line_of(key, v), "choices must be a non-empty list");
                  for (const auto& c : v) p.choices.push_back(l.text(key, c, "a choice"));
                }
              });
  if (p.name.empty()) l.fail(p.line, "a parameter needs a name");
  if (!is_name(p.name)) l.fail(p.line, fmt::format("parameter name \"{}\": use letters, digits, _ and -", p.name));
  if (p.required && p.default_text) l.fail(Loader::line_of(default_key), fmt::format("parameter {} is required and has a default: choose one", p.name));
  if (p.default_text) {
    try {
      (void)typed_value(p, *p.default_text);
    } catch (const Error& e) {
      l.fail(Loader::line_of(default_key), fmt::format("default: {}", e.what()));
    }
  }
  return p;
}

}  // namespace
}  // namespace detail

Runbook parse_runbook(std::string_view text, const std::string& source) {
  using detail::Loader;
  Loader l(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    l.fail(e.mark.line >= 0 ? e.mark.line + 1 : 0, fmt::format("invalid YAML: {}", e.msg));
  }
  if (!root.IsMap()) l.fail(1, "a runbook is a map with name, description, severity, comms, params and steps");
  Runbook rb;
  rb.source = source;
  bool has_steps = false;
  l.each_pair(root, "at the top level", "name, description, severity, comms, notify, params, steps",
              [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) {
                if (k == "name") rb.name = l.text(key, v, "name");
                if (k == "description") rb.description = l.text(key, v, "description", true);
                if (k == "severity") {
                  rb.severity = l.text(key, v, "severity");
                  static const std::regex sev("P[0-3]");
                  if (!std::regex_match(rb.severity, sev)) l.fail(Loader::line_of(key, v), "severity must be P0, P1, P2 or P3");
                }
                if (k == "comms") {
                  rb.comms = l.text(key, v, "comms", true);
                  rb.comms_line = Loader::line_of(key, v);
                  l.check_templates(rb.comms_line, rb.comms, "comms");
                }
                if (k == "notify") rb.notify = detail::parse_notify(l, key, v);
                if (k == "params") {
                  if (!v.IsSequence()) l.fail(Loader::line_of(key, v), "params must be a list");
                  for (const auto& item : v) {
                    Param p = detail::parse_param(l, item);
                    if (const Param* first = rb.param(p.name)) {
                      l.fail(p.line, fmt::format("parameter {} defined twice (first at line {})", p.name, first->line));
                    }
                    rb.params.push_back(std::move(p));
                  }
                }
                if (k == "steps") {
                  has_steps = true;
                  if (!v.IsSequence() || v.size() == 0) l.fail(Loader::line_of(key, v), "steps must be a non-empty list");
                  for (const auto& item : v) {
                    Step s = detail::parse_step(l, item);
                    if (const Step* first = rb.step(s.id)) {
                      l.fail(s.line, fmt::format("step id {} used twice (first at line {})", s.id, first->line));
                    }
                    rb.steps.push_back(std::move(s));
                  }
                }
              });
  if (rb.name.empty()) l.fail(1, "a runbook needs a name");
  if (!has_steps) l.fail(1, "a runbook needs steps");
  return rb;
}

}  // namespace opsctl::runbook
