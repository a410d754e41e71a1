#include <doctest/doctest.h>

#include "health/http_check.h"
#include "health/redis_check.h"

using namespace opsctl;
using namespace opsctl::health;

TEST_SUITE("health.redis") {
  const std::string info =
      "# Server\r\nredis_version:7.0.15\r\n# Clients\r\nconnected_clients:10\r\nmaxclients:100\r\n"
      "# Memory\r\nused_memory:500\r\nmaxmemory:1000\r\nmaxmemory_policy:noeviction\r\n"
      "# Persistence\r\nrdb_last_bgsave_status:ok\r\naof_last_write_status:ok\r\n# Replication\r\nrole:master\r\n";

  TEST_CASE("parse_info reads key:value lines and skips section headers") {
    auto m = parse_info(info);
    CHECK(m.at("redis_version") == "7.0.15");
    CHECK(m.at("role") == "master");
    CHECK(m.count("# Server") == 0);
  }

  TEST_CASE("a healthy primary is ok") {
    auto r = evaluate_redis_info(parse_info(info), 80, 95);
    CHECK(r.status == Status::ok);
    CHECK(r.message == "master 7.0.15, 10 clients");
  }

  TEST_CASE("memory and clients against their limits") {
    auto m = parse_info(info);
    m["used_memory"] = "850";
    CHECK(evaluate_redis_info(m, 80, 95).status == Status::warning);
    m["used_memory"] = "960";
    CHECK(evaluate_redis_info(m, 80, 95).status == Status::critical);
    m["used_memory"] = "1";
    m["connected_clients"] = "99";
    auto r = evaluate_redis_info(m, 80, 95);
    CHECK(r.status == Status::critical);
    CHECK(r.message.find("99 of 100 clients") != std::string::npos);
  }

  TEST_CASE("no maxmemory means no memory verdict") {
    auto m = parse_info(info);
    m["maxmemory"] = "0";
    m["used_memory"] = "999999999";
    CHECK(evaluate_redis_info(m, 80, 95).status == Status::ok);
  }

  TEST_CASE("eviction, persistence errors and a broken replica link") {
    auto m = parse_info(info);
    m["maxmemory_policy"] = "allkeys-lru";
    CHECK(evaluate_redis_info(m, 80, 95).status == Status::warning);
    m = parse_info(info);
    m["rdb_last_bgsave_status"] = "err";
    CHECK(evaluate_redis_info(m, 80, 95).status == Status::warning);
    m["aof_last_write_status"] = "err";
    CHECK(evaluate_redis_info(m, 80, 95).status == Status::critical);
    m = parse_info(info);
    m["role"] = "slave";
    m["master_link_status"] = "down";
    auto r = evaluate_redis_info(m, 80, 95);
    CHECK(r.status == Status::critical);
    CHECK(r.message.find("link to its primary is down") != std::string::npos);
  }
}

TEST_SUITE("health.http") {
  HttpCheckSpec spec;

  TEST_CASE("any 2xx is ok by default; others are critical") {
    CHECK(evaluate_http(spec, 204, "", "", 5, "").status == Status::ok);
    CHECK(evaluate_http(spec, 503, "", "", 5, "").status == Status::critical);
    auto r = evaluate_http(spec, 302, "", "", 5, "http://x/login");
    CHECK(r.status == Status::critical);
    CHECK(r.message.find("redirect to http://x/login") != std::string::npos);
  }

  TEST_CASE("an expected status replaces the 2xx rule") {
    HttpCheckSpec s;
    s.expect_status = 401;
    CHECK(evaluate_http(s, 401, "", "", 5, "").status == Status::ok);
    CHECK(evaluate_http(s, 200, "", "", 5, "").status == Status::critical);
  }

  TEST_CASE("health+json and the seed's healthy/degraded/unhealthy words") {
    CHECK(evaluate_http(spec, 200, "application/health+json", R"({"status":"pass"})", 5, "").status == Status::ok);
    CHECK(evaluate_http(spec, 200, "application/health+json", R"({"status":"warn"})", 5, "").status == Status::warning);
    CHECK(evaluate_http(spec, 200, "application/json", R"({"status":"degraded"})", 5, "").status == Status::warning);
    CHECK(evaluate_http(spec, 200, "application/json", R"({"status":"unhealthy"})", 5, "").status == Status::critical);
    CHECK(evaluate_http(spec, 200, "text/plain", "status: fail", 5, "").status == Status::ok);  // not JSON: no verdict
    CHECK(evaluate_http(spec, 200, "application/json", "{not json", 5, "").status == Status::ok);
  }

  TEST_CASE("expected body text and slowness") {
    HttpCheckSpec s;
    s.expect_body = "ready";
    CHECK(evaluate_http(s, 200, "", "not yet", 5, "").status == Status::critical);
    CHECK(evaluate_http(s, 200, "", "ready", 5, "").status == Status::ok);
    s.expect_body.clear();
    s.slow = std::chrono::milliseconds(500);
    CHECK(evaluate_http(s, 200, "", "", 499, "").status == Status::ok);
    CHECK(evaluate_http(s, 200, "", "", 500, "").status == Status::warning);
  }
}
