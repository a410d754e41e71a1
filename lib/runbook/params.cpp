#include "runbook/params.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/error.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::runbook {

using nlohmann::json;

namespace {

bool valid_url(std::string_view s) {
  auto colon = s.find("://");
  if (colon == std::string_view::npos || colon == 0 || colon + 3 >= s.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s.substr(0, colon)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  return std::none_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

}  // namespace

json typed_value(const Param& p, const std::string& text) {
  auto bad = [&](const std::string& why) {
    return usage_error(fmt::format("parameter {}: {}", p.name, why));
  };
  if (!p.choices.empty() && std::find(p.choices.begin(), p.choices.end(), text) == p.choices.end()) {
    throw bad(fmt::format("'{}' is not one of {}", text, fmt::join(p.choices, ", ")));
  }
  switch (p.type) {
    case ParamType::integer: {
      auto v = util::parse_int(text);
      if (!v) throw bad(fmt::format("'{}' is not an integer", text));
      return *v;
    }
    case ParamType::duration:
      try {
        return util::parse_duration(text).count();
      } catch (const Error& e) {
        throw bad(e.what());
      }
    case ParamType::url:
      if (!valid_url(text)) throw bad(fmt::format("'{}' is not a URL (scheme://...)", text));
      return text;
    case ParamType::path:
      if (text.empty() || text.find('\0') != std::string::npos) throw bad("a path must not be empty");
      return text;
    case ParamType::command: {
      std::vector<std::string> words;
      try {
        words = split_command(text);
      } catch (const Error& e) {
        throw bad(e.what());
      }
      if (words.empty()) throw bad("the command is empty");
      return text;
    }
    case ParamType::string:
      return text;
  }
  return text;
}

std::vector<std::string> split_command(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      auto end = text.find('\'', i + 1);
      if (end == std::string_view::npos) throw usage_error("unclosed ' in the command");
      word.append(text.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) throw usage_error("unclosed \" in the command");
        if (text[i] == '"') break;
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) ++i;
        word += text[i];
      }
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::pair<std::string, std::string> parse_param_flag(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw usage_error(fmt::format("--param takes key=value, not '{}'", text));
  }
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

Scope bind_params(const Runbook& rb, const std::vector<std::pair<std::string, std::string>>& given) {
  Scope scope;
  json params = json::object();
  std::vector<std::string> names;
  for (const auto& p : rb.params) names.push_back(p.name);
  for (const auto& [key, value] : given) {
    const Param* p = rb.param(key);
    if (p == nullptr) {
      std::string best = util::closest_match(key, names);
      throw usage_error(fmt::format("runbook {} has no parameter '{}'{}; parameters: {}", rb.name, key,
                                    best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best),
                                    names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
    }
    if (scope.param_text.count(key)) throw usage_error(fmt::format("parameter {} given twice", key));
    params[key] = typed_value(*p, value);
    scope.param_text[key] = value;
  }
  for (const auto& p : rb.params) {
    if (!scope.param_text.count(p.name)) {
      if (p.default_text) {
        params[p.name] = typed_value(p, *p.default_text);
        scope.param_text[p.name] = *p.default_text;
      } else if (p.required) {
        throw usage_error(fmt::format("runbook {} needs --param {}=...{}", rb.name, p.name,
                                      p.help.empty() ? "" : fmt::format(" ({})", p.help)));
      }
    }
    if (p.type == ParamType::command && scope.param_text.count(p.name)) {
      scope.command_params[p.name] = split_command(scope.param_text[p.name]);
    }
  }
  scope.data["params"] = params;
  scope.data["steps"] = json::object();
  return scope;
}

}  // namespace opsctl::runbook
