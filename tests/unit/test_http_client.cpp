#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "http/client.h"

using namespace opsctl::http;

TEST_SUITE("http client") {
  TEST_CASE("header lines: 'Name: value', and 'Name;' for a header sent empty") {
    CHECK(detail::header_lines({}).empty());
    CHECK(detail::header_lines({{"Authorization", "Bearer t0ken"}, {"X-Empty", ""}}) ==
          std::vector<std::string>{"Authorization: Bearer t0ken", "X-Empty;"});
  }

  TEST_CASE("errors are classified into the cases that get different advice") {
    // libcurl's CURLcode values are part of its stable ABI: 6 resolve, 7 connect, 28 timeout,
    // 60 peer verification, 77 CA file, 35 a TLS handshake failure of another kind.
    CHECK(detail::classify(0, 0) == ErrorKind::none);
    CHECK(detail::classify(6, 0) == ErrorKind::dns);
    CHECK(detail::classify(7, 111) == ErrorKind::refused);  // ECONNREFUSED
    CHECK(detail::classify(7, 113) == ErrorKind::other);    // EHOSTUNREACH: not "is it running?"
    CHECK(detail::classify(28, 0) == ErrorKind::timeout);
    CHECK(detail::classify(60, 0) == ErrorKind::tls_verification);
    CHECK(detail::classify(77, 0) == ErrorKind::tls_ca_file);
    CHECK(detail::classify(35, 0) == ErrorKind::other);
  }

  TEST_CASE("a JSON POST carries the content type first, then the caller's headers, and the document") {
    Request r = json_post("https://hooks.example/notify", {{"runbook", "stuck-jobs"}, {"status", "ok"}},
                          {{"Authorization", "Bearer t0ken"}}, std::chrono::milliseconds(2500));
    CHECK(r.method == Method::post);
    CHECK(r.url == "https://hooks.example/notify");
    REQUIRE(r.headers.size() == 2);
    CHECK(r.headers[0].name == "Content-Type");
    CHECK(r.headers[0].value == "application/json");
    CHECK(r.headers[1].name == "Authorization");
    CHECK(r.body == R"({"runbook":"stuck-jobs","status":"ok"})");
    CHECK(r.timeout == std::chrono::milliseconds(2500));
    CHECK(r.verify == TlsVerify::yes);
    CHECK(r.redirects == Redirects::stay);
  }

  TEST_CASE("a closed port is refused, with timings and no response") {
    Request r;
    r.url = "http://127.0.0.1:1/";
    r.timeout = std::chrono::milliseconds(2000);
    Response resp = perform(r);
    CHECK_FALSE(resp.ok());
    CHECK(resp.error == ErrorKind::refused);
    CHECK_FALSE(resp.error_text.empty());
    CHECK(resp.status == 0);
    CHECK(resp.timings.total_ms >= 0);
  }
}
