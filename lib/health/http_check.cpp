#include "health/http_check.h"

#include <curl/curl.h>

#include <cerrno>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "util/duration.h"
#include "util/redact.h"

namespace opsctl::health {
namespace {

constexpr std::size_t max_body = 1 << 20;

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t bytes = size * n;
  if (body->size() < max_body) body->append(data, std::min(bytes, max_body - body->size()));
  return bytes;  // keep reading (and discarding) so the timing covers the whole response
}

// health+json (draft-inadarei-api-health-check) and the common ad-hoc spellings.
std::optional<Status> body_status(const std::string& content_type, const std::string& body) {
  bool json_type = content_type.find("json") != std::string::npos;
  if (!json_type && (body.empty() || body[0] != '{')) return std::nullopt;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("status") || !doc["status"].is_string()) {
    return std::nullopt;
  }
  std::string s = doc["status"].get<std::string>();
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "pass" || s == "ok" || s == "up" || s == "healthy") return Status::ok;
  if (s == "warn" || s == "degraded") return Status::warning;
  if (s == "fail" || s == "down" || s == "unhealthy" || s == "error") return Status::critical;
  return Status::unknown;
}

}  // namespace

void init_http() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CheckResult evaluate_http(const HttpCheckSpec& spec, long code, const std::string& content_type,
                          const std::string& body, double latency_ms, const std::string& redirect_url) {
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
  if (!spec.expect_body.empty() && body.find(spec.expect_body) == std::string::npos) {
    r.status = Status::critical;
    notes.push_back(fmt::format("body does not contain \"{}\"", spec.expect_body));
  }
  if (auto s = body_status(content_type, body)) {
    r.details["body_status"] = std::string(to_string(*s));
    if (*s != Status::ok) {
      r.status = worst(r.status, *s);
      notes.push_back(fmt::format("health body says {}", to_string(*s)));
    }
  }
  if (spec.slow.count() > 0 && latency_ms >= static_cast<double>(spec.slow.count())) {
    r.status = worst(r.status, Status::warning);
    notes.push_back(fmt::format("slow: {:.0f} ms (>= {})", latency_ms, util::format_duration(spec.slow)));
  }
  r.message = notes.empty() ? fmt::format("HTTP {} in {:.0f} ms", code, latency_ms) : fmt::format("{}", fmt::join(notes, "; "));
  return r;
}

CheckResult check_http(const HttpCheckSpec& spec) {
  init_http();
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::string body;
  char error[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, spec.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "opsctl-health");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(c);
  double latency = elapsed_ms(start);
  CheckResult r;
  if (rc != CURLE_OK) {
    r.kind = "http";
    r.status = Status::critical;
    std::string why = error[0] ? error : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      r.message = fmt::format("timed out after {} (no complete answer)", util::format_duration(spec.timeout));
    } else if (long os_errno = 0; rc == CURLE_COULDNT_CONNECT &&
               curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK && os_errno == ECONNREFUSED) {
      r.message = "connection refused (is the service running?)";
    } else {
      r.message = why;
    }
  } else {
    long code = 0;
    char* ct = nullptr;
    char* redirect = nullptr;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect);
    r = evaluate_http(spec, code, ct ? ct : "", body, latency, redirect ? redirect : "");
  }
  r.name = spec.name;
  r.target = util::redact(spec.url);
  r.latency_ms = latency;
  r.slow_ms = static_cast<double>(spec.slow.count());
  return r;
}

}  // namespace opsctl::health
