#pragma once
// What an HTTP health body says (pure, unit-tested): the top-level verdict of a JSON body, its
// components with their own levels, and --expect-json PATH=VALUE assertions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace opsctl::health {

// A status word, case-insensitive: pass/ok/up/healthy/ready/... -> ok; warn/warning/degraded -> warning;
// fail/down/unhealthy/error/critical/out_of_service/... -> critical; nullopt for any other word.
std::optional<Status> status_word(std::string_view word);

struct BodyComponent {
  std::string name;     // "db", "checks.db:responseTime", "db/primary" for one of several entries
  Status status = Status::unknown;
  std::string message;  // why: "connected: false", "status unhealthy: connection refused", "" when ok
};

struct BodyVerdict {
  bool judged = false;               // the body was a JSON object (or array) that was read
  std::optional<Status> top;         // from status/overall/state/success/healthy/ok at the top level
  std::string top_text;              // the word the body used: "degraded", "success: false"
  std::vector<BodyComponent> components;
  std::string note;                  // not JSON although the content type says so, truncated, binary
  Status status() const;             // worst of top and components; ok when nothing was said
};

// Judges a body (at most 1 MiB). A JSON object is read when the content type says json or the body
// starts with '{'; a body that is not JSON is not judged (a note says why when the type claimed JSON).
// Components: the maps or arrays under checks, components, details and dependencies, and top-level
// objects carrying a status or a connected/healthy/ok flag; a nested flag that is false makes its
// component critical.
BodyVerdict judge_body(std::string_view content_type, const std::string& body, bool truncated = false);

// --expect-json PATH=VALUE: PATH is dotted (checks.db.status, data.0.ok; "\." for a dot inside a key);
// VALUE is read as a JSON scalar when it parses as one (true, 3, null, "x"), else as a string.
struct JsonExpectation {
  std::string text;                  // as given, for messages
  std::vector<std::string> path;
  nlohmann::json value;
};

// Throws a usage error naming the text when it has no '=' or an empty path.
JsonExpectation parse_json_expectation(const std::string& text);

// nullopt when the document matches; else "checks.db.status is \"down\", expected \"up\"".
std::optional<std::string> check_json_expectation(const nlohmann::json& doc, const JsonExpectation& e);

}  // namespace opsctl::health
