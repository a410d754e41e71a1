#include "health/http_check.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "http/client.h"
#include "util/duration.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::health {
namespace {

constexpr std::size_t max_body = 1 << 20;

// The components that are not ok, worst first, at most five of them (all are in details.components).
std::string components_summary(const std::vector<BodyComponent>& components) {
  std::vector<const BodyComponent*> bad;
  for (const auto& c : components) if (c.status != Status::ok) bad.push_back(&c);
  std::stable_sort(bad.begin(), bad.end(), [](const BodyComponent* a, const BodyComponent* b) {
    return worst(a->status, b->status) == a->status && a->status != b->status;
  });
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < bad.size() && i < 5; ++i) {
    const BodyComponent& c = *bad[i];
    parts.push_back(c.message.empty() ? fmt::format("{}: {}", c.name, to_string(c.status))
                                      : fmt::format("{}: {} ({})", c.name, to_string(c.status), c.message));
  }
  if (bad.size() > 5) parts.push_back(fmt::format("{} more components not ok", bad.size() - 5));
  return fmt::format("{}", fmt::join(parts, "; "));
}

// What was sent, without a secret: header names, whether basic auth and TLS verification were used.
void describe_request(CheckResult& r, const HttpCheckSpec& spec) {
  nlohmann::json names = nlohmann::json::array();
  for (const auto& h : spec.headers) names.push_back(h.name + ": ***");
  r.details["request_headers"] = std::move(names);
  r.details["basic_auth"] = spec.basic_auth.has_value();
  std::string scheme = spec.url.substr(0, std::min<std::size_t>(spec.url.size(), 8));
  for (auto& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  bool https = scheme == "https://";
  r.details["tls_verified"] = https ? nlohmann::json(!spec.insecure) : nlohmann::json(nullptr);
  // First, so that no truncation of a long message can hide it.
  if (spec.insecure) r.message = "TLS certificate not verified (--insecure); " + r.message;
}

}  // namespace

HttpHeader parse_header(const std::string& text) {
  auto colon = text.find(':');
  std::string name = colon == std::string::npos ? "" : text.substr(0, colon);
  bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (!token) {
    // The text may be a credential typed without its colon: never quote it.
    throw usage_error("--header: expected 'Name: value' (a header name without spaces, a colon, the value)");
  }
  std::string value = text.substr(colon + 1);
  auto first = value.find_first_not_of(" \t");
  value = first == std::string::npos ? "" : value.substr(first);
  if (value.find_first_of("\r\n") != std::string::npos) {
    throw usage_error(fmt::format("--header {}: the value holds a line break", name));
  }
  return {name, value};
}

CheckResult evaluate_http(const HttpCheckSpec& spec, long code, const std::string& content_type,
                          const std::string& body, double latency_ms, const std::string& redirect_url,
                          bool truncated) {
  CheckResult r;
  r.kind = "http";
  r.status = Status::ok;
  r.details["status_code"] = code;
  std::vector<std::string> notes;
  bool code_ok = spec.expect_status ? code == spec.expect_status : (code >= 200 && code < 300);
  if (!code_ok) {
    r.status = Status::critical;
    std::string expected = spec.expect_status ? std::to_string(spec.expect_status) : "2xx";
    notes.push_back(code >= 300 && code < 400 && !redirect_url.empty()
                        ? fmt::format("HTTP {} redirect to {} (expected {}; --follow-redirects follows it)", code,
                                      util::redact(redirect_url), expected)
                        : fmt::format("HTTP {} (expected {})", code, expected));
  }
  if (!spec.expect_body.empty()) {
    if (auto m = body_mismatch(spec.expect_body, body, spec.timeout)) {
      r.status = worst(r.status, m->status);
      notes.push_back(m->why);
    }
  }
  BodyVerdict verdict = judge_body(content_type, body, truncated);
  if (verdict.judged) {
    Status body_status = verdict.status();
    r.details["body_status"] = std::string(to_string(body_status));
    nlohmann::json components = nlohmann::json::array();
    for (const auto& c : verdict.components) {
      components.push_back({{"name", c.name}, {"status", std::string(to_string(c.status))}, {"message", c.message}});
    }
    r.details["components"] = std::move(components);
    if (verdict.top && *verdict.top != Status::ok) {
      notes.push_back(*verdict.top == Status::unknown
                          ? fmt::format("health body status \"{}\" is not a word opsctl knows", verdict.top_text)
                          : fmt::format("health body says {}", verdict.top_text));
    }
    if (auto bad = components_summary(verdict.components); !bad.empty()) notes.push_back(bad);
    r.status = worst(r.status, body_status);
  }
  if (!verdict.note.empty()) {
    r.details["body_note"] = verdict.note;
    notes.push_back(verdict.note);
  }
  if (!spec.expect_json.empty()) {
    auto doc = nlohmann::json::parse(body, nullptr, false);
    for (const auto& e : spec.expect_json) {
      std::optional<std::string> why =
          doc.is_discarded() ? std::optional<std::string>(fmt::format("{}: body is not JSON", e.text.substr(0, e.text.find('='))))
                             : check_json_expectation(doc, e);
      if (why) {
        r.status = Status::critical;
        notes.push_back(*why);
      }
    }
  }
  if (spec.slow.count() > 0 && latency_ms >= static_cast<double>(spec.slow.count())) {
    r.status = worst(r.status, Status::warning);
    notes.push_back(fmt::format("slow: {:.0f} ms (>= {})", latency_ms, util::format_duration(spec.slow)));
  }
  // A note that did not change the verdict (a body that could not be read) follows the plain answer.
  std::string joined = fmt::format("{}", fmt::join(notes, "; "));
  if (r.status != Status::ok) r.message = joined;
  else {
    r.message = fmt::format("HTTP {} in {:.0f} ms", code, latency_ms);
    if (!verdict.components.empty()) r.message += fmt::format("; {} components ok", verdict.components.size());
    if (!notes.empty()) r.message += "; " + joined;
  }
  return r;
}

CheckResult check_http(const HttpCheckSpec& spec) {
  http::Request req;
  req.url = spec.url;
  req.headers = spec.headers;
  req.timeout = spec.timeout;
  req.redirects = spec.follow_redirects ? http::Redirects::follow : http::Redirects::stay;
  req.verify = spec.insecure ? http::TlsVerify::no : http::TlsVerify::yes;
  req.ca_file = spec.cacert;
  req.basic_auth = spec.basic_auth;
  req.max_body_bytes = max_body;
  req.user_agent = "opsctl-health";
  const http::Response resp = http::perform(req);
  const double latency = round_latency_ms(resp.timings.total_ms);
  CheckResult r;
  if (!resp.ok()) {
    r.kind = "http";
    r.status = Status::critical;
    switch (resp.error) {
      case http::ErrorKind::timeout:
        r.message = fmt::format("timed out after {} (no complete answer)", util::format_duration(spec.timeout));
        break;
      case http::ErrorKind::refused: r.message = "connection refused (is the service running?)"; break;
      case http::ErrorKind::tls_verification:
        r.message = fmt::format("TLS certificate not trusted: {} (--cacert FILE names the CA that signed it; "
                                "--insecure skips verification)", resp.error_text);
        break;
      case http::ErrorKind::tls_ca_file:
        r.message = fmt::format("--cacert {} could not be used: {}", spec.cacert, resp.error_text);
        break;
      default: r.message = resp.error_text;
    }
  } else {
    r = evaluate_http(spec, resp.status, resp.content_type, resp.body, latency, resp.redirect_url, resp.truncated);
  }
  describe_request(r, spec);
  r.name = spec.name;
  r.target = util::redact(spec.url);
  r.latency_ms = latency;
  r.slow_ms = static_cast<double>(spec.slow.count());
  return r;
}

}  // namespace opsctl::health
