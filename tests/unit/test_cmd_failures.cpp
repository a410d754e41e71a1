// The CLI in-process with a fake Io (streams, environment, clock): what a failed run prints in each
// machine format, to the byte, and the exit codes those formats promise.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd_run.h"

using opsctl_test::Run;
using opsctl_test::run_opsctl;

TEST_SUITE("cmd: failures in every format") {
  TEST_CASE("a bad flag with -o json: one document naming the command, exit 64") {
    Run r = run_opsctl({"queue", "inspect", "q", "--bogus", "-o", "json"});
    CHECK(r.code == 64);
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc == nlohmann::json{{"command", "queue inspect"},
                                {"status", "unknown"},
                                {"error", {{"kind", "usage"}, {"message", "unknown flag --bogus for 'opsctl queue inspect'"}}}});
    CHECK(r.err == "opsctl: unknown flag --bogus for 'opsctl queue inspect'\nRun 'opsctl --help' for usage.\n");
  }

  TEST_CASE("a bad flag with -o nagios (any spelling): UNKNOWN line, exit 3") {
    for (std::vector<std::string> o : {std::vector<std::string>{"-o", "nagios"}, {"--output", "nagios"},
                                       {"--output=nagios"}, {"-onagios"}}) {
      std::vector<std::string> args{"queue", "inspect", "q", "--bogus"};
      args.insert(args.end(), o.begin(), o.end());
      Run r = run_opsctl(args);
      CHECK(r.code == 3);
      CHECK(r.out == "OPSCTL QUEUE UNKNOWN - usage error: unknown flag --bogus for 'opsctl queue inspect'\n");
    }
  }

  TEST_CASE("without -o the same bad flag keeps its exit 64 and says nothing on stdout") {
    Run r = run_opsctl({"queue", "inspect", "q", "--bogus"});
    CHECK(r.code == 64);
    CHECK(r.out.empty());
  }

  TEST_CASE("-o prom on a failed run: the run's own metrics, exact text") {
    Run r = run_opsctl({"queue", "inspect", "q", "--bogus", "-o", "prom"});
    CHECK(r.code == 64);
    CHECK(r.out ==
          "# HELP opsctl_check_success 1 when the run reached its verdict, 0 when it failed before (label error)\n"
          "# TYPE opsctl_check_success gauge\n"
          "opsctl_check_success{command=\"queue inspect\",error=\"usage\"} 0\n"
          "# HELP opsctl_last_run_timestamp_seconds When the run that wrote these metrics ended (Unix time)\n"
          "# TYPE opsctl_last_run_timestamp_seconds gauge\n"
          "opsctl_last_run_timestamp_seconds{command=\"queue inspect\"} 1800000000\n");
  }

  TEST_CASE("a refused connection: the queue's identity, status critical, up 0 with its class") {
    const std::vector<std::string> target{"--redis", "redis://127.0.0.1:1", "--timeout", "1s"};
    std::vector<std::string> json_args{"queue", "inspect", "q", "-o", "json"};
    json_args.insert(json_args.end(), target.begin(), target.end());
    Run j = run_opsctl(json_args);
    CHECK(j.code == 2);
    auto doc = nlohmann::json::parse(j.out);
    CHECK(doc["queue"] == "q");
    CHECK(doc["prefix"] == "bull");
    CHECK(doc["status"] == "critical");
    CHECK(doc["error"]["kind"] == "connection_refused");

    std::vector<std::string> prom_args{"queue", "inspect", "q", "-o", "prom"};
    prom_args.insert(prom_args.end(), target.begin(), target.end());
    Run p = run_opsctl(prom_args);
    CHECK(p.code == 2);
    CHECK(p.out.find("opsctl_redis_up{command=\"queue inspect\",error=\"connection_refused\",prefix=\"bull\","
                     "queue=\"q\",target=\"127.0.0.1:1\"} 0\n") != std::string::npos);

    std::vector<std::string> nagios_args{"queue", "inspect", "q", "-o", "nagios"};
    nagios_args.insert(nagios_args.end(), target.begin(), target.end());
    Run n = run_opsctl(nagios_args);
    CHECK(n.code == 2);
    CHECK(n.out.rfind("OPSCTL QUEUE CRITICAL - redis 127.0.0.1:1: connection refused", 0) == 0);
  }

  TEST_CASE("a missing config file named explicitly: kind config, exit 78 (3 under nagios)") {
    Run j = run_opsctl({"queue", "list", "-o", "json"}, {{"OPSCTL_CONFIG", "/nonexistent-opsctl-test/config.yaml"}});
    CHECK(j.code == 78);
    auto doc = nlohmann::json::parse(j.out);
    CHECK(doc["error"]["kind"] == "config");
    CHECK(doc["status"] == "unknown");
    Run n = run_opsctl({"queue", "list", "-o", "nagios"}, {{"OPSCTL_CONFIG", "/nonexistent-opsctl-test/config.yaml"}});
    CHECK(n.code == 3);
    CHECK(n.out.rfind("OPSCTL QUEUE UNKNOWN - config error: ", 0) == 0);
  }

  TEST_CASE("stdout that cannot be written: said on stderr, never exit 0") {
    Run r = run_opsctl({"version"}, {}, true);
    CHECK(r.code == 3);
    CHECK(r.err.find("could not write the output: stdout is closed") != std::string::npos);
  }
}
