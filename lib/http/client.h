#pragma once
// The HTTP client: the one place that talks to libcurl. A request is a plain value (method, URL,
// headers, body, deadline, TLS and redirect options, a cap on the body kept); a response carries the
// status, content type, body, redirect target, timings, or an error already classified into the cases
// an operator acts on differently. Used by the health checks and by webhook notifications.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace opsctl::http {

struct Header {
  std::string name;
  std::string value;  // may be a secret: callers never print it
};

enum class Method { get, post, put };
enum class TlsVerify { yes, no };
enum class Redirects { stay, follow };

struct Request {
  Method method = Method::get;
  std::string url;
  std::vector<Header> headers;
  std::string body;                              // sent for post and put
  std::chrono::milliseconds timeout{5000};       // the whole exchange, connect included
  TlsVerify verify = TlsVerify::yes;
  std::string ca_file;                           // "" : the system's CA store
  Redirects redirects = Redirects::stay;
  long max_redirects = 5;
  std::optional<std::string> basic_auth;         // "user:password"
  std::size_t max_body_bytes = 1 << 20;          // the rest is read and discarded (truncated says so)
  std::string user_agent = "opsctl";
};

// Why no response came: the cases that call for different advice, then the rest.
enum class ErrorKind {
  none,
  refused,           // nothing listens on the port
  timeout,           // no complete answer within the timeout
  dns,               // the host name does not resolve
  tls_verification,  // the peer's certificate is not trusted (or does not match the name)
  tls_ca_file,       // the CA file given could not be used
  other,
};

// Milliseconds from the start of the request to each phase's end (0 for a phase that did not happen).
struct Timings {
  double dns_ms = 0;
  double connect_ms = 0;
  double tls_ms = 0;
  double first_byte_ms = 0;
  double total_ms = 0;  // wall time of the whole call, also on error
};

struct Response {
  ErrorKind error = ErrorKind::none;
  std::string error_text;    // libcurl's detailed message when error != none
  long status = 0;           // HTTP status code
  std::string content_type;  // "" when the server sent none
  std::string body;          // at most max_body_bytes
  bool truncated = false;    // the body was longer than max_body_bytes
  std::string redirect_url;  // Location of a redirect that was not followed, else ""
  Timings timings;

  bool ok() const { return error == ErrorKind::none; }
};

// Performs the request; never throws for network failures (they are in Response::error). Every wait
// is bounded by request.timeout.
Response perform(const Request& request);

// A POST of a JSON document (Content-Type: application/json), e.g. a webhook notification;
// extra headers follow the content type.
Request json_post(const std::string& url, const nlohmann::json& body, std::vector<Header> headers = {},
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
Response post_json(const std::string& url, const nlohmann::json& body, std::vector<Header> headers = {},
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// libcurl's global state, initialised once before any thread uses it (idempotent, thread-safe).
void init();

namespace detail {

// The header lines handed to libcurl: "Name: value", or "Name;" for an empty value (libcurl's spelling
// of a header sent empty; "Name:" would remove it).
std::vector<std::string> header_lines(const std::vector<Header>& headers);

// The class of a libcurl result code (CURLcode) given the OS errno of a failed connect.
ErrorKind classify(int curl_code, long os_errno);

}  // namespace detail
}  // namespace opsctl::http
