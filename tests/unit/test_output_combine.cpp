#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "output/combine.h"
#include "output/combine_table.h"

using namespace opsctl::output;

TEST_SUITE("output combine") {
  TEST_CASE("the worst exit code: critical over unknown over warning, then 4, 64, 78") {
    CHECK(worse_exit_code(0, 1) == 1);
    CHECK(worse_exit_code(3, 1) == 3);
    CHECK(worse_exit_code(3, 2) == 2);
    CHECK(worse_exit_code(2, 3) == 2);
    CHECK(worse_exit_code(2, 4) == 4);
    CHECK(worse_exit_code(64, 78) == 78);
    CHECK(worst_exit_code({{"a", 0, "", ""}, {"b", 3, "", ""}, {"c", 1, "", ""}}) == 3);
    CHECK(worst_exit_code({}) == 0);
  }

  TEST_CASE("json: each document with context and error, in order; no document is an internal error") {
    std::vector<ContextRun> runs{{"a", 0, R"({"status":"ok","checks":[]})", ""},
                                 {"b", 2, R"({"status":"critical","checks":null,"error":{"kind":"timeout","message":"m"}})", ""},
                                 {"c", 3, "", "opsctl: boom\n"}};
    auto arr = combine_json(runs);
    REQUIRE(arr.size() == 3);
    CHECK(arr[0]["context"] == "a");
    CHECK(arr[0]["error"].is_null());
    CHECK(arr[0]["status"] == "ok");
    CHECK(arr[1]["context"] == "b");
    CHECK(arr[1]["error"]["kind"] == "timeout");
    CHECK(arr[2]["status"] == "unknown");
    CHECK(arr[2]["error"]["kind"] == "internal");
    CHECK(arr[2]["error"]["message"] == "boom");
  }

  TEST_CASE("nagios: worst status, the contexts not ok named, perfdata prefixed") {
    std::vector<ContextRun> runs{{"a", 0, "OPSCTL HEALTH OK - 1 of 1 checks ok | redis=0.001s\n", ""},
                                 {"b", 2, "OPSCTL HEALTH CRITICAL - 0 of 1 checks ok; redis critical: refused | 'my check'=0.5s;0.4;\n", ""},
                                 {"c", 1, "OPSCTL HEALTH WARNING - slow\n", ""}};
    CHECK(combine_nagios(runs) ==
          "OPSCTL HEALTH CRITICAL - 2 of 3 contexts not ok: b CRITICAL: 0 of 1 checks ok; redis critical: refused; "
          "c WARNING: slow | a/redis=0.001s 'b/my check'=0.5s;0.4;\n");
    CHECK(combine_nagios({{"a", 0, "OPSCTL QUEUES OK - fine\n", ""}}) == "OPSCTL QUEUES OK - 1 contexts, all ok\n");
    CHECK(combine_nagios({{"x", 3, "garbage", ""}}).rfind("OPSCTL OPSCTL UNKNOWN - 1 of 1 contexts not ok: x UNKNOWN", 0) == 0);
  }

  TEST_CASE("prom: HELP and TYPE once per family, every sample with its context label") {
    const std::string a = "# HELP opsctl_check_up Up.\n# TYPE opsctl_check_up gauge\nopsctl_check_up{kind=\"redis\"} 1\n"
                          "# HELP opsctl_last_run_timestamp_seconds T.\n# TYPE opsctl_last_run_timestamp_seconds gauge\n"
                          "opsctl_last_run_timestamp_seconds 5\n";
    const std::string b = "# HELP opsctl_check_up Up.\n# TYPE opsctl_check_up gauge\nopsctl_check_up{kind=\"redis\"} 0\n";
    CHECK(combine_prom({{"a", 0, a, ""}, {"b\"x", 2, b, ""}}) ==
          "# HELP opsctl_check_up Up.\n# TYPE opsctl_check_up gauge\n"
          "opsctl_check_up{context=\"a\",kind=\"redis\"} 1\nopsctl_check_up{context=\"b\\\"x\",kind=\"redis\"} 0\n"
          "# HELP opsctl_last_run_timestamp_seconds T.\n# TYPE opsctl_last_run_timestamp_seconds gauge\n"
          "opsctl_last_run_timestamp_seconds{context=\"a\"} 5\n");
  }

  TEST_CASE("stderr lines say their context") {
    CHECK(context_stderr({"b", 2, "", "opsctl: redis x: refused\nmore\n"}) == "opsctl: context b: redis x: refused\nmore\n");
  }

  TEST_CASE("text: the verb's table with a CONTEXT column, a failed context a row with its error") {
    std::vector<nlohmann::json> docs{
        {{"context", "a"}, {"error", nullptr}, {"status", "ok"},
         {"checks", {{{"name", "redis"}, {"kind", "redis"}, {"status", "ok"}, {"latency_ms", 1.2}, {"message", "PONG"}}}}},
        {{"context", "b"}, {"status", "critical"}, {"checks", nullptr},
         {"error", {{"kind", "connection_refused"}, {"message", "redis 127.0.0.1:1: connection refused"}}}}};
    CHECK(fleet_health_text(docs, false) ==
          "Health: CRITICAL  1 checks in 2 contexts\n\n"
          "CONTEXT  NAME   KIND   STATUS    LATENCY  MESSAGE\n"
          "a        redis  redis  ok            1ms  PONG\n"
          "b        -      -      critical        -  error: redis 127.0.0.1:1: connection refused\n");
    std::vector<nlohmann::json> lists{
        {{"context", "a"}, {"error", nullptr}, {"prefix", "bull"},
         {"queues", {{{"queue", "q"}, {"status", "ok"}, {"paused", false}, {"layout", "bullmq"},
                      {"counts", {{"waiting", 3}, {"failed", nullptr}}}, {"checks", nlohmann::json::array()}}}}},
        {{"context", "b"}, {"error", nullptr}, {"prefix", "bull"}, {"queues", nlohmann::json::array()}}};
    CHECK(fleet_list_text(lists, {"waiting", "failed"}, false) ==
          "CONTEXT  QUEUE  STATUS  PAUSED  WAITING  FAILED  LAYOUT  FINDING\n"
          "a        q      OK      no            3       ?  bullmq\n"
          "b        -      OK      -             -       -  -       no BullMQ queues under prefix 'bull'\n");
  }
}
