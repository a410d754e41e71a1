#pragma once
// The HTTP health check (libcurl): expected status (default any 2xx), optional body text, health+json
// bodies understood, a slow-response warning, redirects only when asked, TLS always verified.
#include <chrono>
#include <string>

#include "health/check.h"

namespace opsctl::health {

struct HttpCheckSpec {
  std::string name;
  std::string url;
  std::chrono::milliseconds timeout{5000};
  int expect_status = 0;        // 0: any 2xx
  std::string expect_body;      // "" : no body check
  std::chrono::milliseconds slow{0};  // 0: no latency warning
  bool follow_redirects = false;
};

CheckResult check_http(const HttpCheckSpec& spec);

// The verdict from a response (pure, unit-tested). body is at most the first 1 MiB.
CheckResult evaluate_http(const HttpCheckSpec& spec, long status_code, const std::string& content_type,
                          const std::string& body, double latency_ms, const std::string& redirect_url);

// Ensures libcurl's global state is initialised before any thread uses it (idempotent).
void init_http();

}  // namespace opsctl::health
