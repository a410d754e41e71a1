#include "runbook/template.h"

#include <cctype>

#include <fmt/format.h>

#include "runbook/expr_lexer.h"

namespace opsctl::runbook {

using nlohmann::json;

Template Template::parse(std::string_view text) {
  Template t;
  std::string literal;
  std::size_t literal_pos = 0;
  auto flush = [&] {
    if (!literal.empty()) t.parts_.push_back({std::move(literal), std::nullopt, literal_pos});
    literal.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      if (literal.empty()) literal_pos = i;
      literal += '{';
      i += 2;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      if (literal.empty()) literal_pos = i;
      literal += '}';
      i += 2;
    } else if (c == '}') {
      throw ExprError(i, "a lone '}': write '}}' for a literal brace");
    } else if (c == '{') {
      flush();
      std::size_t start = i++;
      while (i < text.size() && text[i] == ' ') ++i;
      if (i >= text.size()) throw ExprError(start, "unclosed '{': write '{{' for a literal brace");
      RefPath ref;
      try {
        ref = read_reference(text, i);
      } catch (const ExprError& e) {
        throw ExprError(e.pos(), fmt::format("'{{' must start a placeholder such as {{params.name}} ({}); "
                                             "write '{{{{' for a literal brace", e.what()));
      }
      while (i < text.size() && text[i] == ' ') ++i;
      if (i >= text.size() || text[i] != '}') {
        throw ExprError(i, fmt::format("unclosed placeholder '{{{}': expected '}}'", join_path(ref)));
      }
      ++i;
      t.parts_.push_back({"", std::move(ref), start});
    } else {
      if (literal.empty()) literal_pos = i;
      literal += c;
      ++i;
    }
  }
  flush();
  return t;
}

std::vector<RefPath> Template::references() const {
  std::vector<RefPath> out;
  for (const auto& p : parts_) {
    if (p.ref) out.push_back(*p.ref);
  }
  return out;
}

std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

namespace {

bool is_param_ref(const RefPath& ref) { return ref.size() == 2 && ref[0] == "params"; }

// The value of one placeholder: parameters as given, anything else from the scope's data.
json resolve(const RefPath& ref, const Scope& scope, bool single, Missing missing) {
  if (is_param_ref(ref)) {
    if (single) {
      if (auto it = scope.command_params.find(ref[1]); it != scope.command_params.end()) {
        return json{{"argv_template", it->second}};
      }
    }
    if (auto it = scope.param_text.find(ref[1]); it != scope.param_text.end()) {
      // A single reference keeps the parameter's type for numbers; durations stay as written.
      const json& typed = lookup(scope.data, ref);
      if (single && typed.is_number_integer() && std::to_string(typed.get<std::int64_t>()) == it->second) return typed;
      return it->second;
    }
  }
  const json& v = lookup(scope.data, ref);
  if (v.is_null() && missing == Missing::error) {
    std::string why = is_param_ref(ref) ? "the parameter was not given"
                      : ref.size() > 2 && ref[0] == "steps" ? fmt::format("step {} has no such value (was it skipped?)", ref[1])
                                                            : "nothing has that name here";
    throw RenderError(ref, fmt::format("{{{}}} has no value: {}", join_path(ref), why));
  }
  if (v.is_null()) return "n/a";
  return v;
}

}  // namespace

json render(const Template& t, const Scope& scope, Missing missing) {
  if (t.is_single_ref()) return resolve(*t.parts()[0].ref, scope, true, missing);
  std::string out;
  for (const auto& p : t.parts()) out += p.ref ? value_text(resolve(*p.ref, scope, false, missing)) : p.text;
  return out;
}

std::string render_text(const Template& t, const Scope& scope, Missing missing) {
  std::string out;
  for (const auto& p : t.parts()) out += p.ref ? value_text(resolve(*p.ref, scope, false, missing)) : p.text;
  return out;
}

json render_value(const json& value, const Scope& scope) {
  if (value.is_string()) return render(Template::parse(value.get<std::string>()), scope);
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) out.push_back(render_value(v, scope));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : value.items()) out[k] = render_value(v, scope);
    return out;
  }
  return value;
}

json render_args(const json& with, const Scope& scope) {
  json out = json::object();
  for (const auto& [name, value] : with.items()) {
    if (value.is_string()) {
      Template t = Template::parse(value.get<std::string>());
      if (t.is_single_ref() && is_param_ref(*t.parts()[0].ref) &&
          lookup(scope.data, *t.parts()[0].ref).is_null()) {
        continue;  // an optional parameter left unset: the action's default
      }
    }
    out[name] = render_value(value, scope);
  }
  return out;
}

std::vector<RefPath> value_references(const json& value) {
  std::vector<RefPath> out;
  if (value.is_string()) return Template::parse(value.get<std::string>()).references();
  if (value.is_array() || value.is_object()) {
    for (const auto& v : value) {
      auto more = value_references(v);
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  return out;
}

}  // namespace opsctl::runbook
