#include <doctest/doctest.h>

#include <fmt/format.h>

#include "core/error.h"
#include "health/http_body.h"
#include "health/http_check.h"

using namespace opsctl;
using namespace opsctl::health;

namespace {

const BodyComponent* find(const BodyVerdict& v, const std::string& name) {
  for (const auto& c : v.components) if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

TEST_SUITE("health.http_body") {
  TEST_CASE("status words, case-insensitive, with the unknown ones left unknown") {
    CHECK(status_word("PASS") == Status::ok);
    CHECK(status_word("Up") == Status::ok);
    CHECK(status_word("healthy") == Status::ok);
    CHECK(status_word("WARN") == Status::warning);
    CHECK(status_word("Degraded") == Status::warning);
    CHECK(status_word("fail") == Status::critical);
    CHECK(status_word("DOWN") == Status::critical);
    CHECK(status_word("OUT_OF_SERVICE") == Status::critical);
    CHECK(status_word("critical") == Status::critical);
    CHECK_FALSE(status_word("maybe").has_value());
  }

  TEST_CASE("top-level status, overall, state and success") {
    CHECK(judge_body("application/json", R"({"overall":"degraded"})").status() == Status::warning);
    CHECK(judge_body("application/json", R"({"state":"DOWN"})").status() == Status::critical);
    CHECK(judge_body("application/json", R"({"success":false})").status() == Status::critical);
    CHECK(judge_body("application/json", R"({"success":true})").status() == Status::ok);
    // Seed 003: status is always "OK", success tells the truth.
    auto v = judge_body("application/json", R"({"status":"OK","success":false})");
    CHECK(v.status() == Status::critical);
    CHECK(v.top_text.find("success: false") != std::string::npos);
    CHECK(judge_body("application/json", R"({"status":"sideways"})").status() == Status::unknown);
    CHECK(judge_body("", R"({"status":"fail"})").judged);  // sniffed from the '{'
    CHECK_FALSE(judge_body("text/plain", "status: fail").judged);
  }

  TEST_CASE("seed 000: components map with overall, each with its own level") {
    auto v = judge_body("application/json", R"({"overall":"degraded","components":{
        "database":{"status":"healthy","responseTime":3},
        "partnerUsers":{"status":"degraded","details":{"activeUsers":4,"errorUsers":3}},
        "application":{"status":"unhealthy","error":"heap exhausted"}}})");
    REQUIRE(v.components.size() == 3);
    CHECK(find(v, "database")->status == Status::ok);
    CHECK(find(v, "partnerUsers")->status == Status::warning);
    CHECK(find(v, "application")->status == Status::critical);
    CHECK(find(v, "application")->message.find("heap exhausted") != std::string::npos);
    CHECK(v.status() == Status::critical);  // worst of the body's word and its components
  }

  TEST_CASE("seed 002: checks map under a healthy status") {
    auto v = judge_body("application/json", R"({"status":"healthy","version":"1.0.0","checks":{
        "database":{"status":"healthy","response_time_ms":5},"workers":{"status":"degraded","active_count":5}}})");
    CHECK(v.components.size() == 2);
    CHECK(find(v, "workers")->status == Status::warning);
    CHECK(v.status() == Status::warning);
  }

  TEST_CASE("seed 003: a nested connected: false condemns its component") {
    auto v = judge_body("application/json",
                        R"({"success":true,"status":"OK","database":{"connected":false},"redis":{"status":"ready"}})");
    REQUIRE(find(v, "database") != nullptr);
    CHECK(find(v, "database")->status == Status::critical);
    CHECK(find(v, "database")->message == "connected: false");
    CHECK(find(v, "redis")->status == Status::ok);
    CHECK(v.status() == Status::critical);
    auto deep = judge_body("application/json", R"({"checks":{"cache":{"status":"up","details":{"healthy":false}}}})");
    CHECK(find(deep, "cache")->status == Status::critical);
    CHECK(find(deep, "cache")->message == "details.healthy: false");
  }

  TEST_CASE("health+json draft: checks is a map of arrays of objects") {
    auto v = judge_body("application/health+json", R"({"status":"pass","checks":{
        "db:responseTime":[{"componentId":"db1","componentType":"datastore","observedValue":250,
                            "observedUnit":"ms","status":"warn","output":"slow"}],
        "cpu:utilization":[{"componentId":"n1","status":"pass"},{"componentId":"n2","status":"fail"}]}})");
    REQUIRE(v.components.size() == 3);
    CHECK(find(v, "db:responseTime")->status == Status::warning);
    CHECK(find(v, "db:responseTime")->message.find("observed 250 ms") != std::string::npos);
    CHECK(find(v, "cpu:utilization/n2")->status == Status::critical);
    CHECK(v.status() == Status::critical);
  }

  TEST_CASE("Spring Boot actuator components, and an array of named checks") {
    auto v = judge_body("application/vnd.spring-boot.actuator.v3+json", R"({"status":"UP","components":{
        "db":{"status":"DOWN","details":{"error":"Connection refused"}},"ping":{"status":"UP"}}})");
    CHECK(find(v, "db")->status == Status::critical);
    CHECK(find(v, "db")->message.find("Connection refused") != std::string::npos);
    CHECK(find(v, "ping")->status == Status::ok);
    auto list = judge_body("application/json", R"({"checks":[{"name":"queue","status":"ok"},{"name":"s3","ok":false}]})");
    CHECK(find(list, "queue")->status == Status::ok);
    CHECK(find(list, "s3")->status == Status::critical);
  }

  TEST_CASE("not JSON although it says so, truncated, binary: a note, no verdict, no quote of the body") {
    auto v = judge_body("application/json", "{not json");
    CHECK_FALSE(v.judged);
    CHECK(v.note.find("not valid JSON") != std::string::npos);
    CHECK(v.status() == Status::ok);
    std::string binary("\x89PNG\r\n\x1a\n\0\0", 10);
    auto b = judge_body("application/json", binary);
    CHECK_FALSE(b.judged);
    CHECK(b.note.find("PNG") == std::string::npos);
    CHECK(judge_body("application/json", R"({"status":"ok", "pad": ")", true).note.find("1 MiB") != std::string::npos);
    CHECK_FALSE(judge_body("image/png", binary).judged);
  }

  TEST_CASE("names and messages from the body carry no control characters") {
    auto v = judge_body("application/json", R"({"checks":{"db\u001b[31m":{"status":"down","error":"a\nb"}}})");
    REQUIRE(v.components.size() == 1);
    CHECK(v.components[0].name == "db?[31m");
    CHECK(v.components[0].message == "down; a?b");
  }

  TEST_CASE("--expect-json: paths, scalars and messages") {
    auto doc = nlohmann::json::parse(R"({"status":"ok","success":true,"checks":{"db":{"status":"up"}},
        "data":[{"ok":true}],"count":3,"version":"2","a.b":1})");
    CHECK_FALSE(check_json_expectation(doc, parse_json_expectation("status=ok")));
    CHECK_FALSE(check_json_expectation(doc, parse_json_expectation("success=true")));
    CHECK_FALSE(check_json_expectation(doc, parse_json_expectation("checks.db.status=up")));
    CHECK_FALSE(check_json_expectation(doc, parse_json_expectation("data.0.ok=true")));
    CHECK_FALSE(check_json_expectation(doc, parse_json_expectation("count=3")));
    CHECK_FALSE(check_json_expectation(doc, parse_json_expectation("version=2")));
    CHECK_FALSE(check_json_expectation(doc, parse_json_expectation(R"(a\.b=1)")));
    CHECK(*check_json_expectation(doc, parse_json_expectation("checks.db.status=down")) ==
          R"(checks.db.status is "up", expected "down")");
    CHECK(*check_json_expectation(doc, parse_json_expectation("success=false")) == "success is true, expected false");
    CHECK(*check_json_expectation(doc, parse_json_expectation("data.1.ok=true")) == "data.1.ok is missing, expected true");
    CHECK_THROWS_AS(parse_json_expectation("status"), opsctl::Error);
    CHECK_THROWS_AS(parse_json_expectation("=ok"), opsctl::Error);
    CHECK_THROWS_AS(parse_json_expectation("a..b=1"), opsctl::Error);
  }
}

TEST_SUITE("health.http") {
  TEST_CASE("the check is the worst of status code, body word and components; the message names them") {
    HttpCheckSpec spec;
    auto r = evaluate_http(spec, 200, "application/json",
                           R"({"overall":"degraded","components":{"db":{"status":"up","connected":false}}})", 5, "");
    CHECK(r.status == Status::critical);
    CHECK(r.message == "health body says degraded; db: critical (connected: false)");
    REQUIRE(r.details["components"].size() == 1);
    CHECK(r.details["components"][0]["name"] == "db");
    CHECK(r.details["components"][0]["status"] == "critical");
  }

  TEST_CASE("the message names at most five failing components, worst first; ok ones are counted") {
    HttpCheckSpec spec;
    std::string body = R"({"checks":{"w":{"status":"warn"})";
    for (int i = 0; i < 7; ++i) body += fmt::format(R"(,"c{}":{{"status":"down"}})", i);
    body += "}}";
    auto r = evaluate_http(spec, 200, "application/json", body, 5, "");
    CHECK(r.status == Status::critical);
    CHECK(r.message.rfind("c0: critical (down); c1", 0) == 0);
    CHECK(r.message.find("3 more components not ok") != std::string::npos);
    CHECK(r.details["components"].size() == 8);
    auto ok = evaluate_http(spec, 200, "application/json", R"({"status":"ok","checks":{"a":"up","b":"pass"}})", 5, "");
    CHECK(ok.message == "HTTP 200 in 5 ms; 2 components ok");
    auto empty = evaluate_http(spec, 204, "application/json", "", 5, "");
    CHECK(empty.message == "HTTP 204 in 5 ms");
  }

  TEST_CASE("--expect-body is a regex; plain text still works; an invalid one is a usage error") {
    HttpCheckSpec s;
    s.expect_body = "^ready v[0-9]+$";
    CHECK(evaluate_http(s, 200, "", "ready v12", 5, "").status == Status::ok);
    CHECK(evaluate_http(s, 200, "", "ready vX", 5, "").status == Status::critical);
    s.expect_body = "all good";
    CHECK(evaluate_http(s, 200, "", "it is all good", 5, "").status == Status::ok);
    CHECK_NOTHROW(validate_body_pattern("a(b|c)+"));
    try {
      validate_body_pattern("(unclosed");
      FAIL("no throw");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::usage);
      CHECK(std::string(e.what()).find("(unclosed") != std::string::npos);
    }
  }

  TEST_CASE("--expect-json mismatches are critical naming path, expected and actual") {
    HttpCheckSpec s;
    s.expect_json.push_back(parse_json_expectation("success=true"));
    auto r = evaluate_http(s, 200, "application/json", R"({"success":false})", 5, "");
    CHECK(r.status == Status::critical);
    CHECK(r.message.find("success is false, expected true") != std::string::npos);
    CHECK(evaluate_http(s, 200, "text/html", "<html>", 5, "").message.find("success: body is not JSON") !=
          std::string::npos);
  }

  TEST_CASE("headers: Name: value, never echoed in errors") {
    auto h = parse_header("X-Api-Key:  s3cret");
    CHECK(h.name == "X-Api-Key");
    CHECK(h.value == "s3cret");
    try {
      parse_header("Bad Name: s3cret");
      FAIL("no throw");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
    }
    CHECK_THROWS_AS(parse_header("no colon here"), Error);
  }
}
