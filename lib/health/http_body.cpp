#include "health/http_body.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "core/error.h"
#include "util/text.h"

namespace opsctl::health {
namespace {

// Bodies are read in their own key order, so components are listed as the service lists them.
using json = nlohmann::ordered_json;

constexpr std::size_t max_components = 100;
constexpr std::size_t max_message = 200;
constexpr std::array<std::string_view, 4> top_status_keys{"status", "overall", "state", "health"};
constexpr std::array<std::string_view, 4> containers{"checks", "components", "details", "dependencies"};
// Flags whose false value condemns the component that holds them, however deep (within reason).
constexpr std::array<std::string_view, 6> flags{"connected", "healthy", "ok", "up", "alive", "reachable"};
// Free text explaining a component's state: draft-inadarei's output, Spring's details.error, ad hoc.
constexpr std::array<std::string_view, 5> text_keys{"output", "error", "message", "reason", "description"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '-' || c == ' ') c = '_';
  }
  return out;
}

// Text from the body as a terminal may show it: control characters (an escape sequence in a
// component name) become '?', and it is cut to a readable length on a UTF-8 boundary.
std::string clip(const std::string& s) {
  std::string out = util::truncate_utf8(s, max_message);
  for (auto& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

// JSON text that never throws on bytes that are not UTF-8 (a VALUE from argv may hold any).
template <class J>
std::string dumps(const J& v) { return v.dump(-1, ' ', false, J::error_handler_t::replace); }

// A scalar as a message shows it: strings bare, the rest as JSON.
std::string scalar_text(const json& v) { return v.is_string() ? v.get<std::string>() : dumps(v); }

// The first false flag at most three objects down: "details.connected: false".
std::optional<std::string> false_flag(const json& obj, const std::string& prefix, int depth) {
  if (!obj.is_object() || depth > 3) return std::nullopt;
  for (const auto& [k, v] : obj.items()) {
    if (v.is_boolean() && !v.get<bool>() && one_of(flags, lower(k))) return prefix + k + ": false";
  }
  for (const auto& [k, v] : obj.items()) {
    if (v.is_object()) {
      if (auto f = false_flag(v, prefix + k + ".", depth + 1)) return f;
    }
  }
  return std::nullopt;
}

bool has_flag(const json& obj, int depth) {
  if (!obj.is_object() || depth > 3) return false;
  for (const auto& [k, v] : obj.items()) {
    if (v.is_boolean() && one_of(flags, lower(k))) return true;
    if (v.is_object() && has_flag(v, depth + 1)) return true;
  }
  return false;
}

// A status-like field directly on obj: a status word or a success/flag boolean.
bool says_status(const json& obj) {
  if (!obj.is_object()) return false;
  for (auto key : top_status_keys) {
    if (obj.contains(key) && (obj[key].is_string() || obj[key].is_boolean())) return true;
  }
  if (obj.contains("success") && obj["success"].is_boolean()) return true;
  return has_flag(obj, 0);
}

std::optional<std::string> explanation(const json& obj) {
  for (auto key : text_keys) {
    if (obj.contains(key) && obj[key].is_string() && !obj[key].get<std::string>().empty()) {
      return obj[key].get<std::string>();
    }
  }
  if (obj.contains("details") && obj["details"].is_object()) {
    const json& d = obj["details"];
    for (auto key : text_keys) {
      if (d.contains(key) && d[key].is_string()) return d[key].get<std::string>();
    }
  }
  return std::nullopt;
}

// One component from an object: its status word, success and flags, and why.
BodyComponent component_of(std::string name, const json& obj) {
  BodyComponent c{clip(name), Status::ok, ""};
  std::vector<std::string> why;
  bool said = false;
  for (auto key : top_status_keys) {
    if (!obj.contains(key)) continue;
    const json& v = obj[key];
    if (v.is_string()) {
      auto s = status_word(v.get<std::string>());
      c.status = worst(c.status, s.value_or(Status::unknown));
      if (s != Status::ok) why.push_back(s ? v.get<std::string>() : fmt::format("status \"{}\" not understood", v.get<std::string>()));
      said = true;
      break;
    }
    if (v.is_boolean()) {
      if (!v.get<bool>()) { c.status = Status::critical; why.push_back(fmt::format("{}: false", key)); }
      said = true;
      break;
    }
  }
  if (obj.contains("success") && obj["success"].is_boolean()) {
    said = true;
    if (!obj["success"].get<bool>()) { c.status = Status::critical; why.push_back("success: false"); }
  }
  if (auto f = false_flag(obj, "", 0)) {
    c.status = Status::critical;
    why.push_back(*f);
  } else if (!said && !has_flag(obj, 0)) {
    c.status = Status::unknown;  // callers only pass objects that say something; kept for safety
  }
  if (c.status != Status::ok) {
    if (auto e = explanation(obj)) why.push_back(*e);
  }
  if (obj.contains("observedValue") && obj["observedValue"].is_primitive() && !obj["observedValue"].is_null()) {
    std::string unit = obj.contains("observedUnit") && obj["observedUnit"].is_string()
                           ? " " + obj["observedUnit"].get<std::string>() : "";
    why.push_back(fmt::format("observed {}{}", scalar_text(obj["observedValue"]), unit));
  }
  c.message = clip(fmt::format("{}", fmt::join(why, "; ")));
  return c;
}

std::string entry_name(const json& obj, const std::string& fallback) {
  for (const char* key : {"name", "componentId", "component", "id", "service"}) {
    if (obj.contains(key) && (obj[key].is_string() || obj[key].is_number())) return scalar_text(obj[key]);
  }
  return fallback;
}

class Collector {
 public:
  explicit Collector(std::vector<BodyComponent>& out) : out_(out) {}

  // A member of a checks/components/... map: an object, a draft-inadarei array of objects, a word.
  void member(const std::string& name, const json& v, bool in_container) {
    if (v.is_object()) {
      if (says_status(v)) add(component_of(name, v));
    } else if (v.is_array() && in_container) {
      std::vector<const json*> entries;
      for (const auto& e : v) if (e.is_object() && says_status(e)) entries.push_back(&e);
      for (std::size_t i = 0; i < entries.size(); ++i) {
        std::string n = entries.size() == 1 ? name : name + "/" + entry_name(*entries[i], std::to_string(i));
        add(component_of(n, *entries[i]));
      }
    } else if (v.is_string() && in_container) {
      if (auto s = status_word(v.get<std::string>())) {
        add({clip(name), *s, *s == Status::ok ? "" : clip(v.get<std::string>())});
      }
    }
  }

  // An array container: [{"name": "db", "status": "ok"}, ...].
  void list(const std::string& prefix, const json& arr) {
    std::size_t i = 0;
    for (const auto& e : arr) {
      if (e.is_object() && says_status(e)) add(component_of(entry_name(e, fmt::format("{}[{}]", prefix, i)), e));
      ++i;
    }
  }

  std::size_t dropped = 0;

 private:
  void add(BodyComponent c) {
    if (out_.size() >= max_components) { ++dropped; return; }
    out_.push_back(std::move(c));
  }
  std::vector<BodyComponent>& out_;
};

void top_level(BodyVerdict& v, const json& doc) {
  std::vector<std::pair<std::string, Status>> said;  // what the body said, and what it means
  for (auto key : top_status_keys) {
    if (!doc.contains(key)) continue;
    const json& s = doc[key];
    if (s.is_string()) {
      said.emplace_back(s.get<std::string>(), status_word(s.get<std::string>()).value_or(Status::unknown));
      break;
    }
    if (s.is_boolean()) {
      said.emplace_back(fmt::format("{}: {}", key, s.get<bool>()), s.get<bool>() ? Status::ok : Status::critical);
      break;
    }
  }
  for (const char* key : {"success", "healthy", "ok"}) {
    if (doc.contains(key) && doc[key].is_boolean()) {
      bool yes = doc[key].get<bool>();
      said.emplace_back(fmt::format("{}: {}", key, yes), yes ? Status::ok : Status::critical);
    }
  }
  if (said.empty()) return;
  Status top = Status::ok;
  for (const auto& [text, level] : said) top = worst(top, level);
  std::vector<std::string> words;
  for (const auto& [text, level] : said) if (level == top) words.push_back(text);
  v.top = top;
  v.top_text = clip(fmt::format("{}", fmt::join(words, ", ")));
}

}  // namespace

std::optional<Status> status_word(std::string_view word) {
  static const std::array<std::string_view, 14> ok{"pass", "passed", "passing", "ok", "up", "healthy", "ready",
                                                  "green", "success", "successful", "available", "online",
                                                  "operational", "good"};
  static const std::array<std::string_view, 5> warn{"warn", "warning", "degraded", "yellow", "partial"};
  static const std::array<std::string_view, 13> crit{"fail", "failed", "failing", "failure", "down", "unhealthy",
                                                    "error", "critical", "out_of_service", "red", "unavailable",
                                                    "offline", "dead"};
  std::string w = lower(word);
  if (one_of(ok, w)) return Status::ok;
  if (one_of(warn, w)) return Status::warning;
  if (one_of(crit, w)) return Status::critical;
  return std::nullopt;
}

Status BodyVerdict::status() const {
  Status s = top.value_or(Status::ok);
  for (const auto& c : components) s = worst(s, c.status);
  return s;
}

BodyVerdict judge_body(std::string_view content_type, const std::string& body, bool truncated) {
  BodyVerdict v;
  auto first = body.find_first_not_of(" \t\r\n");
  bool looks_json = first != std::string::npos && (body[first] == '{' || body[first] == '[');
  bool json_type = lower(content_type).find("json") != std::string::npos;
  if (!json_type && !looks_json) return v;
  if (first == std::string::npos) return v;  // an empty body (204, HEAD) says nothing
  json doc;
  try {
    doc = json::parse(body);
  } catch (const json::parse_error& e) {
    // Never quote the body: it may be binary, or hold what the service should not have sent.
    if (truncated) v.note = "body is over 1 MiB and was not read whole: not judged";
    else if (json_type) v.note = fmt::format("body is not valid JSON (byte {}) although the content type is JSON: not judged", e.byte);
    return v;
  }
  if (!doc.is_object() && !doc.is_array()) return v;
  v.judged = true;
  Collector collect(v.components);
  if (doc.is_array()) {
    collect.list("", doc);
  } else {
    top_level(v, doc);
    for (const auto& [k, val] : doc.items()) {
      if (one_of(top_status_keys, k) || k == "success") continue;
      if (one_of(containers, k)) {
        if (val.is_object()) {
          for (const auto& [name, member] : val.items()) collect.member(name, member, k != "details");
        } else if (val.is_array()) {
          collect.list(k, val);
        }
      } else {
        collect.member(k, val, false);
      }
    }
  }
  if (collect.dropped) v.note = fmt::format("{} more components not listed", collect.dropped);
  return v;
}

JsonExpectation parse_json_expectation(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw usage_error(fmt::format("--expect-json \"{}\": expected PATH=VALUE, e.g. status=ok or success=true", text));
  }
  JsonExpectation e;
  e.text = text;
  std::string segment;
  std::string path = text.substr(0, eq);
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size() && path[i + 1] == '.') {
      segment += '.';
      ++i;
    } else if (path[i] == '.') {
      e.path.push_back(segment);
      segment.clear();
    } else {
      segment += path[i];
    }
  }
  e.path.push_back(segment);
  for (const auto& s : e.path) {
    if (s.empty()) throw usage_error(fmt::format("--expect-json \"{}\": empty name in path \"{}\"", text, path));
  }
  std::string raw = text.substr(eq + 1);
  auto parsed = nlohmann::json::parse(raw, nullptr, false);
  e.value = parsed.is_discarded() || parsed.is_structured() ? nlohmann::json(raw) : parsed;
  return e;
}

std::optional<std::string> check_json_expectation(const nlohmann::json& doc, const JsonExpectation& e) {
  std::string where = e.text.substr(0, e.text.find('='));
  const nlohmann::json* at = &doc;
  for (const auto& seg : e.path) {
    const nlohmann::json* next = nullptr;
    if (at->is_object()) {
      auto it = at->find(seg);
      if (it != at->end()) next = &*it;
    } else if (at->is_array() && !seg.empty() && std::all_of(seg.begin(), seg.end(), ::isdigit) && seg.size() < 10) {
      std::size_t i = std::stoul(seg);
      if (i < at->size()) next = &(*at)[i];
    }
    if (!next) return fmt::format("{} is missing, expected {}", where, dumps(e.value));
    at = next;
  }
  if (*at == e.value) return std::nullopt;
  // A number or boolean given where the body has the same text as a string: "version": "2" for version=2.
  std::string raw = e.text.substr(e.text.find('=') + 1);
  if (at->is_string() && at->get<std::string>() == raw) return std::nullopt;
  return fmt::format("{} is {}, expected {}", where, util::truncate_utf8(dumps(*at), 100), dumps(e.value));
}

}  // namespace opsctl::health
