// Parse tests of the verbs, in-process with a fake Io: flags that conflict or are out of range, and
// values that do not parse, are usage errors (exit 64) with one exact stderr line, nothing on
// stdout, and no connection: every target below is refused, so a check that moved after the
// connect would exit 2 instead.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd_run.h"

using opsctl_test::Run;
using opsctl_test::run_opsctl;

namespace {

const std::vector<std::string> k_redis{"--redis", "redis://127.0.0.1:1", "--timeout", "1s"};
const std::vector<std::string> k_pg{"--pg", "postgresql://app@127.0.0.1:1/appdb", "--timeout", "1s"};

struct Case {
  std::vector<std::string> args;
  std::string message;  // the stderr line after "opsctl: "
};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& target) {
  args.insert(args.end(), target.begin(), target.end());
  return args;
}

// Each case: exit 64, stdout empty, stderr exactly "opsctl: <message>\n".
void check_usage(const std::vector<Case>& cases, const std::vector<std::string>& target) {
  for (const auto& c : cases) {
    auto args = with(c.args, target);
    CAPTURE(c.args);
    Run r = run_opsctl(args);
    CHECK(r.code == 64);
    CHECK(r.out.empty());
    CHECK(r.err == "opsctl: " + c.message + "\n");
  }
}

}  // namespace

TEST_SUITE("cmd: queue verbs, usage errors") {
  TEST_CASE("queue clear: --all, --force, --state, --limit and --since combinations") {
    const std::string states = "completed, failed, waiting, delayed, prioritized, active";
    check_usage({{{"queue", "clear", "q", "--all", "--state", "failed"},
                  "queue clear: --all removes the whole queue; it does not combine with --state, --older-than, "
                  "--since or --limit"},
                 {{"queue", "clear", "q", "--all", "--limit", "5"},
                  "queue clear: --all removes the whole queue; it does not combine with --state, --older-than, "
                  "--since or --limit"},
                 {{"queue", "clear", "q", "--force", "--state", "failed"}, "queue clear: --force only applies to --all"},
                 {{"queue", "clear", "q"}, "queue clear: pass --state S (" + states + ") or --all for the whole queue"},
                 {{"queue", "clear", "q", "--state", "faild"},
                  "queue clear: unknown state 'faild' (did you mean 'failed'?); states: " + states},
                 {{"queue", "clear", "q", "--state", "failed", "--limit", "0"},
                  "queue clear: --limit must be at least 1"},
                 {{"queue", "clear", "q", "--state", "waiting", "--since", "5m"},
                  "queue clear: --since takes the finished states (completed, failed), whose jobs are ranked by "
                  "finishedOn; for waiting use --older-than"}},
                k_redis);
  }

  TEST_CASE("queue retry: durations are parsed and the --since/--older-than window must not be empty") {
    check_usage({{{"queue", "retry", "q", "--older-than", "5x"},
                  "invalid duration \"5x\": unknown unit \"x\" (use ms, s, m, h or d) (examples: 500ms, 30s, 5m, "
                  "2h, 7d, 1h30m)"},
                 {{"queue", "retry", "q", "--since", "-5m"},
                  "invalid duration \"-5m\": negative durations are not allowed (examples: 500ms, 30s, 5m, 2h, 7d, "
                  "1h30m)"},
                 {{"queue", "retry", "q", "--since", "1h", "--older-than", "2h"},
                  "--since (1h 00m) must be longer than --older-than (2h 00m): the window runs from --since ago to "
                  "--older-than ago, and this one is empty"}},
                k_redis);
  }

  TEST_CASE("queue retry --state takes failed or completed only (a CLI11 check: the usage hint follows)") {
    Run r = run_opsctl(with({"queue", "retry", "q", "--state", "active"}, k_redis));
    CHECK(r.code == 64);
    CHECK(r.out.empty());
    CHECK(r.err == "opsctl: --state: active not in {failed,completed}\nRun 'opsctl --help' for usage.\n");
  }

  TEST_CASE("queue inspect, list, promote: ranges of --limit, --offset, --sample; --state names") {
    check_usage({{{"queue", "inspect", "q", "--limit", "0"}, "--limit must be between 1 and 10000"},
                 {{"queue", "inspect", "q", "--limit", "10001"}, "--limit must be between 1 and 10000"},
                 {{"queue", "inspect", "q", "--offset", "-1"}, "--offset must not be negative"},
                 {{"queue", "inspect", "q", "--state", "bogus"},
                  "unknown state 'bogus'; states: waiting, active, delayed, prioritized, completed, failed, "
                  "waiting-children, paused"},
                 {{"queue", "list", "--sample", "1001"}, "--sample must be between 0 and 1000"},
                 {{"queue", "promote", "q", "--limit", "0"}, "--limit must be at least 1"}},
                k_redis);
  }

  TEST_CASE("a --state usage error under -o json is one document with the message, exit 64") {
    Run r = run_opsctl(with({"queue", "inspect", "q", "--state", "bogus", "-o", "json"}, k_redis));
    CHECK(r.code == 64);
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["error"] == nlohmann::json{{"kind", "usage"},
                                         {"message", "unknown state 'bogus'; states: waiting, active, delayed, "
                                                     "prioritized, completed, failed, waiting-children, paused"}});
    CHECK(doc["status"] == "unknown");
  }
}

TEST_SUITE("cmd: job verbs, usage errors") {
  TEST_CASE("job unstick: a queue or --sql, never both; --limit; the --sql flags it needs") {
    check_usage({{{"job", "unstick"}, "job unstick: give a QUEUE, or --sql --table T for a SQL job table"},
                 {{"job", "unstick", "q", "--limit", "0"}, "--limit must be at least 1"}},
                k_redis);
    check_usage({{{"job", "unstick", "q", "--sql"}, "job unstick --sql takes no queue name (use --table)"},
                 {{"job", "unstick", "--sql"}, "job unstick --sql needs --table (the job table, e.g. --table jobs)"},
                 {{"job", "unstick", "--sql", "--table", "jobs"},
                  "job unstick --sql needs --older-than DUR: only jobs running longer than that are stuck"},
                 {{"job", "unstick", "--sql", "--table", "jobs", "--older-than", "0s"},
                  "--older-than must be greater than zero"}},
                k_pg);
  }

  TEST_CASE("job unstick --to takes wait or failed (a CLI11 check: the usage hint follows)") {
    Run r = run_opsctl(with({"job", "unstick", "q", "--to", "bogus"}, k_redis));
    CHECK(r.code == 64);
    CHECK(r.err == "opsctl: --to: bogus not in {wait,failed}\nRun 'opsctl --help' for usage.\n");
  }

  TEST_CASE("every mutation refuses -o nagios and -o prom before it connects (the target is refused)") {
    const std::vector<std::pair<std::vector<std::string>, std::string>> verbs = {
        {{"queue", "pause", "q"}, "queue.pause"},        {{"queue", "resume", "q"}, "queue.resume"},
        {{"queue", "clear", "q", "--all"}, "queue.clear-all"},
        {{"queue", "clear", "q", "--state", "failed"}, "queue.clear"},
        {{"queue", "retry", "q"}, "queue.retry"},        {{"queue", "promote", "q"}, "queue.promote"},
        {{"job", "retry", "q", "1"}, "job.retry"},       {{"job", "remove", "q", "1"}, "job.remove"},
        {{"job", "promote", "q", "1"}, "job.promote"},   {{"job", "unstick", "q"}, "job.unstick"}};
    for (const auto& [args, action] : verbs) {
      CAPTURE(args);
      std::string noun = args[0] == "queue" ? "QUEUE" : "JOB";
      std::string message = action + " supports -o text and -o json";
      auto nagios = args;
      nagios.insert(nagios.end(), {"-o", "nagios"});
      Run n = run_opsctl(with(nagios, k_redis));
      CHECK(n.code == 3);
      CHECK(n.err == "opsctl: " + message + "\n");
      CHECK(n.out == "OPSCTL " + noun + " UNKNOWN - usage error: " + message + "\n");
      auto prom = args;
      prom.insert(prom.end(), {"-o", "prom"});
      Run p = run_opsctl(with(prom, k_redis));
      CHECK(p.code == 64);
      CHECK(p.err == "opsctl: " + message + "\n");
      CHECK(p.out.find("error=\"usage\"") != std::string::npos);
    }
  }

  TEST_CASE("job show -o nagios: a usage error that Nagios reads as UNKNOWN (exit 3), on both streams") {
    Run r = run_opsctl(with({"job", "show", "q", "1", "-o", "nagios"}, k_redis));
    CHECK(r.code == 3);
    CHECK(r.err == "opsctl: job show supports -o text and -o json\n");
    CHECK(r.out == "OPSCTL JOB UNKNOWN - usage error: job show supports -o text and -o json\n");
  }
}

TEST_SUITE("cmd: db verbs, usage errors") {
  TEST_CASE("db sessions, cancel, terminate: --limit, the every-session refusal, idle-in-transaction, --pid") {
    check_usage({{{"db", "sessions", "--limit", "0"}, "--limit must be between 1 and 100000"},
                 {{"db", "cancel"},
                  "db cancel: refusing to signal every session; choose them with --state, --older-than, --user, "
                  "--app, --db, --query-like or --pid"},
                 {{"db", "cancel", "--state", "idle-in-transaction"},
                  "db cancel: a session idle in a transaction runs no query, so a cancel does nothing to it; use db "
                  "terminate --state idle-in-transaction"},
                 {{"db", "terminate", "--pid", "0"}, "--pid 0: not a backend pid"},
                 {{"db", "terminate", "--backend-start", "2026-01-01T00:00:00Z"},
                  "--backend-start needs exactly one --pid"},
                 {{"db", "terminate", "--pid", "5", "--backend-start", "yesterday"},
                  "--backend-start 'yesterday': expected an ISO 8601 time such as 2024-05-01T10:00:00.123456Z (copy "
                  "it from db sessions)"}},
                k_pg);
  }

  TEST_CASE("db locks -o nagios: not a check; UNKNOWN (exit 3) pointing at db pool") {
    Run r = run_opsctl(with({"db", "locks", "-o", "nagios"}, k_pg));
    CHECK(r.code == 3);
    CHECK(r.out == "OPSCTL DB UNKNOWN - usage error: db locks supports -o text and -o json (db pool is the check)\n");
  }
}

TEST_SUITE("cmd: health, usage errors") {
  TEST_CASE("health with nothing to check: exit 64; -o json gives checks null and the message") {
    const std::string message =
        "nothing to check: give --redis URL, --pg CONNINFO or --http URL (repeatable), set REDIS_URL or "
        "DATABASE_URL, or use a context with redis, pg or http checks";
    check_usage({{{"health"}, message}}, {});
    Run r = run_opsctl({"health", "-o", "json"});
    CHECK(r.code == 64);
    CHECK(nlohmann::json::parse(r.out) == nlohmann::json{{"checks", nullptr},
                                                         {"error", {{"kind", "usage"}, {"message", message}}},
                                                         {"status", "unknown"}});
  }
}
