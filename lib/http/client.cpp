#include "http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <mutex>

namespace opsctl::http {
namespace {

struct Body {
  std::string* text;
  bool* truncated;
  std::size_t max;
};

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t bytes = size * n;
  size_t room = body->max - std::min(body->max, body->text->size());
  body->text->append(data, std::min(bytes, room));
  if (bytes > room) *body->truncated = true;
  return bytes;  // keep reading (and discarding) so the timing covers the whole response
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double phase_ms(CURL* c, CURLINFO info) {
  curl_off_t us = 0;
  if (curl_easy_getinfo(c, info, &us) != CURLE_OK) return 0;
  return static_cast<double>(us) / 1000.0;
}

std::string info_text(CURL* c, CURLINFO info) {
  char* text = nullptr;
  curl_easy_getinfo(c, info, &text);
  return text ? text : "";
}

}  // namespace

namespace detail {

std::vector<std::string> header_lines(const std::vector<Header>& headers) {
  std::vector<std::string> lines;
  lines.reserve(headers.size());
  for (const auto& h : headers) lines.push_back(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
  return lines;
}

ErrorKind classify(int curl_code, long os_errno) {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OK: return ErrorKind::none;
    case CURLE_OPERATION_TIMEDOUT: return ErrorKind::timeout;
    case CURLE_COULDNT_CONNECT: return os_errno == ECONNREFUSED ? ErrorKind::refused : ErrorKind::other;
    case CURLE_COULDNT_RESOLVE_HOST: return ErrorKind::dns;
    case CURLE_PEER_FAILED_VERIFICATION: return ErrorKind::tls_verification;
    case CURLE_SSL_CACERT_BADFILE: return ErrorKind::tls_ca_file;
    default: return ErrorKind::other;
  }
}

}  // namespace detail

void init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Response perform(const Request& request) {
  init();
  Response r;
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  for (const auto& line : detail::header_lines(request.headers)) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  Body body{&r.body, &r.truncated, request.max_body_bytes};
  char error[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  const long timeout = static_cast<long>(request.timeout.count());
  const bool verify = request.verify == TlsVerify::yes;
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, request.redirects == Redirects::follow ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, request.max_redirects);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
  if (!request.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());
  if (request.basic_auth) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(c, CURLOPT_USERPWD, request.basic_auth->c_str());
  }
  if (request.method == Method::post || request.method == Method::put) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    if (request.method == Method::put) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
  }
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, request.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(c);
  r.timings.total_ms = elapsed_ms(start);
  r.timings.dns_ms = phase_ms(c, CURLINFO_NAMELOOKUP_TIME_T);
  r.timings.connect_ms = phase_ms(c, CURLINFO_CONNECT_TIME_T);
  r.timings.tls_ms = phase_ms(c, CURLINFO_APPCONNECT_TIME_T);
  r.timings.first_byte_ms = phase_ms(c, CURLINFO_STARTTRANSFER_TIME_T);
  if (rc != CURLE_OK) {
    long os_errno = 0;
    if (rc == CURLE_COULDNT_CONNECT) curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
    r.error = detail::classify(rc, os_errno);
    r.error_text = error[0] ? error : curl_easy_strerror(rc);
    return r;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  r.content_type = info_text(c, CURLINFO_CONTENT_TYPE);
  r.redirect_url = info_text(c, CURLINFO_REDIRECT_URL);
  return r;
}

Request json_post(const std::string& url, const nlohmann::json& body, std::vector<Header> headers,
                  std::chrono::milliseconds timeout) {
  Request req;
  req.method = Method::post;
  req.url = url;
  req.headers.push_back({"Content-Type", "application/json"});
  for (auto& h : headers) req.headers.push_back(std::move(h));
  // replace: a notification must go out even when a field holds invalid UTF-8.
  req.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  req.timeout = timeout;
  return req;
}

Response post_json(const std::string& url, const nlohmann::json& body, std::vector<Header> headers,
                   std::chrono::milliseconds timeout) {
  return perform(json_post(url, body, std::move(headers), timeout));
}

}  // namespace opsctl::http
