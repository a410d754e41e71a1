#include "health/http_check.h"

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "core/error.h"
#include "util/duration.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::health {
namespace {

constexpr std::size_t max_body = 1 << 20;

struct Body {
  std::string text;
  bool truncated = false;
};

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t bytes = size * n;
  size_t room = max_body - body->text.size();
  body->text.append(data, std::min(bytes, room));
  if (bytes > room) body->truncated = true;
  return bytes;  // keep reading (and discarding) so the timing covers the whole response
}

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

void init_http() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

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
  init_http();
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  for (const auto& h : spec.headers) {
    // "Name;" is curl's spelling of a header sent with an empty value ("Name:" would remove it).
    std::string line = h.value.empty() ? h.name + ";" : h.name + ": " + h.value;
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  Body body;
  char error[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, spec.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, spec.insecure ? 0L : 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, spec.insecure ? 0L : 2L);
  if (!spec.cacert.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, spec.cacert.c_str());
  if (spec.basic_auth) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(c, CURLOPT_USERPWD, spec.basic_auth->c_str());
  }
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
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
    } else if (rc == CURLE_PEER_FAILED_VERIFICATION) {
      r.message = fmt::format("TLS certificate not trusted: {} (--cacert FILE names the CA that signed it; "
                              "--insecure skips verification)", why);
    } else if (rc == CURLE_SSL_CACERT_BADFILE) {
      r.message = fmt::format("--cacert {} could not be used: {}", spec.cacert, why);
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
    r = evaluate_http(spec, code, ct ? ct : "", body.text, latency, redirect ? redirect : "", body.truncated);
  }
  describe_request(r, spec);
  r.name = spec.name;
  r.target = util::redact(spec.url);
  r.latency_ms = latency;
  r.slow_ms = static_cast<double>(spec.slow.count());
  return r;
}

}  // namespace opsctl::health
