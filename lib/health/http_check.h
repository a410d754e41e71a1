#pragma once
// The HTTP health check (over lib/http): expected status (default any 2xx), a body regex, health bodies
// judged with their components (http_body.h), --expect-json assertions, request headers and basic
// auth whose values are never shown, a slow-response warning, redirects only when asked, TLS verified
// unless --insecure (which every output then says).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "health/body_pattern.h"
#include "health/check.h"
#include "health/http_body.h"
#include "http/client.h"

namespace opsctl::health {

// A request header; its value is a secret as far as output goes: shown as ***.
using HttpHeader = http::Header;

struct HttpCheckSpec {
  std::string name;
  std::string url;
  std::chrono::milliseconds timeout{5000};
  int expect_status = 0;        // 0: any 2xx
  std::string expect_body;      // "" : no body check; else an ECMAScript regex searched in the body
  std::vector<JsonExpectation> expect_json;
  std::chrono::milliseconds slow{0};  // 0: no latency warning
  bool follow_redirects = false;
  std::vector<HttpHeader> headers;
  std::optional<std::string> basic_auth;  // "user:password"
  bool insecure = false;                  // no TLS verification
  std::string cacert;                     // "" : the system's CA store
};

CheckResult check_http(const HttpCheckSpec& spec);

// The verdict from a response (pure, unit-tested). body is at most the first 1 MiB; truncated says
// the response was longer.
CheckResult evaluate_http(const HttpCheckSpec& spec, long status_code, const std::string& content_type,
                          const std::string& body, double latency_ms, const std::string& redirect_url,
                          bool truncated = false);

// "Name: value" -> {Name, value}; throws a usage error (without the value) when it is not a header.
HttpHeader parse_header(const std::string& text);

}  // namespace opsctl::health
