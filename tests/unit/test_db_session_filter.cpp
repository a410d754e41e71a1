#include <doctest/doctest.h>

#include "core/error.h"
#include "db/activity.h"
#include "db/session_filter.h"

using namespace opsctl::db;
using namespace std::chrono_literals;

TEST_SUITE("db session filter") {
  TEST_CASE("states by their flag names or PostgreSQL's own") {
    CHECK(normalize_state("idle-in-transaction") == "idle in transaction");
    CHECK(normalize_state("idle in transaction") == "idle in transaction");
    CHECK(normalize_state("idle-in-transaction-aborted") == "idle in transaction (aborted)");
    CHECK(normalize_state("active") == "active");
    try {
      normalize_state("idle-in-transactoin");
      FAIL("expected a usage error");
    } catch (const opsctl::Error& e) {
      CHECK(e.code() == opsctl::ExitCode::usage);
      CHECK(std::string(e.what()).find("did you mean 'idle-in-transaction'?") != std::string::npos);
    }
  }

  TEST_CASE("no filter: only the default exclusions, never opsctl's own backend") {
    SessionFilter f;
    CHECK(f.empty());
    Conditions c = filter_conditions(f);
    CHECK(c.sql == " AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'"
                   " AND coalesce(a.application_name, '') NOT IN ('pg_dump', 'pg_dumpall', 'pg_basebackup')");
    CHECK(c.params.empty());
    f.all = true;
    CHECK(filter_conditions(f).sql == " AND a.pid <> pg_backend_pid()");
  }

  TEST_CASE("every value is a parameter, numbered from first") {
    SessionFilter f;
    f.all = true;
    f.states = {"idle in transaction", "active"};
    f.older_than = 1500ms;
    f.user = "app'; DROP TABLE x; --";
    f.app = "api";
    f.db = "orders";
    f.query_like = "UPDATE jobs";
    f.pids = {10, 20};
    f.backend_start = "2024-05-01T10:00:00.123456Z";
    Conditions c = filter_conditions(f, 3);
    CHECK(c.sql == " AND a.pid <> pg_backend_pid()"
                   " AND (a.state LIKE $3 || '%' OR a.state = $4)"
                   " AND a.state_change < now() - make_interval(secs => $5::float8)"
                   " AND a.usename = $6 AND a.application_name = $7 AND a.datname = $8 AND a.query LIKE $9"
                   " AND a.pid = ANY($10::int[]) AND a.backend_start = $11::timestamptz");
    REQUIRE(c.params.size() == 9);
    CHECK(*c.params[0] == "idle in transaction");
    CHECK(*c.params[2] == "1.500");
    CHECK(*c.params[3] == "app'; DROP TABLE x; --");
    CHECK(*c.params[6] == "%UPDATE jobs%");  // no % given: a substring
    CHECK(*c.params[7] == "{10,20}");
    CHECK_FALSE(f.empty());
  }

  TEST_CASE("a LIKE pattern with % is used as given") {
    SessionFilter f;
    f.query_like = "SELECT pg_sleep%";
    CHECK(*filter_conditions(f).params[0] == "SELECT pg_sleep%");
  }

  TEST_CASE("seconds with milliseconds") {
    CHECK(seconds_param(0ms) == "0.000");
    CHECK(seconds_param(45min) == "2700.000");
    CHECK(seconds_param(1ms) == "0.001");
  }

  TEST_CASE("durations in hints are written as the flags read them") {
    CHECK(flag_duration(60000ms) == "1m");
    CHECK(flag_duration(90s) == "90s");
    CHECK(flag_duration(1500ms) == "1500ms");
    CHECK(flag_duration(2h) == "2h");
    CHECK(flag_duration(48h) == "2d");
    CHECK(flag_duration(0ms) == "0ms");
  }
}
