#include <doctest/doctest.h>

#include <string>

#include "db/pool.h"

using namespace opsctl::db;
using opsctl::Status;
using namespace std::chrono_literals;

namespace {

SessionRow row(std::int64_t pid, const std::string& state, double age_s, const std::string& app = "api") {
  SessionRow s;
  s.pid = pid;
  s.backend_start = "2024-05-01T10:00:00.000000Z";
  s.user = "app";
  s.app = app;
  s.state = state;
  s.backend_type = "client backend";
  s.age_s = age_s;
  s.query_age_s = age_s;
  if (state != "idle") s.xact_age_s = age_s;
  return s;
}

PoolInput input(std::int64_t max, std::int64_t su, std::int64_t reserved = 0) {
  PoolInput in;
  in.settings.max_connections = max;
  in.settings.superuser_reserved = su;
  in.settings.reserved = reserved;
  in.settings.idle_in_transaction_session_timeout = "0";
  return in;
}

void add(PoolInput& in, int n, const std::string& state, double age_s = 1, const std::string& app = "api") {
  for (int i = 0; i < n; ++i) in.sessions.push_back(row(1000 + static_cast<std::int64_t>(in.sessions.size()), state, age_s, app));
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_SUITE("db pool verdict") {
  TEST_CASE("available counts the reserves out of max_connections") {
    PoolInput in = input(100, 3, 5);
    add(in, 10, "idle");
    PoolReport r = diagnose_pool(in, {});
    CHECK(r.status == Status::ok);
    CHECK(*r.usable == 92);
    CHECK(*r.used == 10);
    CHECK(*r.available == 82);
    CHECK(r.by_state.at("idle") == 10);
    CHECK(r.verdict == "ok: 10 of 92 usable slots in use (11%)");
  }

  TEST_CASE("only client backends hold slots; autovacuum, walsenders and background workers do not") {
    PoolInput in = input(10, 2);
    add(in, 3, "active");
    SessionRow av = row(7, "active", 600);
    av.backend_type = "autovacuum worker";
    in.sessions.push_back(av);
    SessionRow ws = row(8, "active", 600);
    ws.backend_type = "walsender";
    in.sessions.push_back(ws);
    PoolReport r = diagnose_pool(in, {});
    CHECK(*r.used == 3);
    CHECK(r.long_running.empty());  // the autovacuum worker runs long by design
    PoolOptions all;
    all.all = true;
    CHECK(diagnose_pool(in, all).long_running.size() == 2);
  }

  TEST_CASE("rows this role may not see: those in a database count as client sessions, never listed") {
    PoolInput in = input(20, 3);
    add(in, 2, "idle");
    SessionRow other = row(50, "", 0);
    other.backend_type = "";
    other.hidden = true;
    other.db = "orders";
    other.age_s.reset();
    in.sessions.push_back(other);
    SessionRow checkpointer = other;  // a background process: no database
    checkpointer.pid = 51;
    checkpointer.db = "";
    in.sessions.push_back(checkpointer);
    PoolReport r = diagnose_pool(in, {});
    CHECK(*r.used == 3);
    CHECK(r.hidden == 1);  // the background process is no session
    CHECK(r.by_state.at("unknown") == 1);
    CHECK(r.hints.back() == "1 session of other roles is hidden from this role (counted as client sessions, never "
                            "listed): grant it pg_monitor to see them");
  }

  TEST_CASE("warning at 80% of usable slots, critical at 95%") {
    PoolInput in = input(13, 3);  // 10 usable
    add(in, 7, "idle");
    CHECK(diagnose_pool(in, {}).status == Status::ok);
    add(in, 1, "idle");
    PoolReport r = diagnose_pool(in, {});
    CHECK(r.status == Status::warning);
    CHECK(r.verdict == "8 of 10 usable slots in use (80%)");
    PoolInput big = input(103, 3);  // 100 usable
    add(big, 95, "idle");
    r = diagnose_pool(big, {});
    CHECK(r.status == Status::critical);
    CHECK(has(r.verdict, "slots nearly exhausted: 95 of 100"));
  }

  TEST_CASE("available <= 0 is critical and names the leaked transactions holding the slots") {
    PoolInput in = input(12, 3);  // 9 usable
    add(in, 6, "idle in transaction", 300);
    add(in, 3, "idle");
    PoolReport r = diagnose_pool(in, {});
    CHECK(r.status == Status::critical);
    CHECK(*r.available == 0);
    CHECK(r.verdict == "slots exhausted: 9 of 9 usable slots in use; leaked transactions hold 6 of them");
    REQUIRE(r.causes.size() == 2);
    CHECK(r.causes[1].kind == "leaked_transactions");
    CHECK(r.idle_in_transaction.size() == 6);
    CHECK(has(r.hints.at(0), "opsctl db terminate --state idle-in-transaction --older-than 1m"));
    CHECK(has(r.hints.at(1), "idle_in_transaction_session_timeout"));
  }

  TEST_CASE("superusers in the reserve push available below zero") {
    PoolInput in = input(12, 3);
    add(in, 11, "idle");
    PoolReport r = diagnose_pool(in, {});
    CHECK(*r.available == -2);
    CHECK(r.status == Status::critical);
    CHECK(r.verdict == "slots exhausted: 11 of 9 usable slots in use (0 active, 11 idle, 0 idle in transaction)");
  }

  TEST_CASE("leaked transactions: older than --idle-tx, aborted ones too, pg_dump left out unless --all") {
    PoolInput in = input(100, 3);
    add(in, 1, "idle in transaction", 30);               // younger than 1m: not leaked
    add(in, 1, "idle in transaction", 90);
    add(in, 1, "idle in transaction (aborted)", 600);
    add(in, 1, "idle in transaction", 3600, "pg_dump");  // a dump's long transaction is by design
    PoolReport r = diagnose_pool(in, {});
    CHECK(r.status == Status::warning);
    REQUIRE(r.idle_in_transaction.size() == 2);
    CHECK(r.idle_in_transaction[0].age_s == 600);       // oldest first
    CHECK(r.verdict == "leaked transactions holding 2 slots (idle in transaction > 1m; oldest: pid 1002 (app, api, "
                       "idle in transaction (aborted) for 10m 00s))");
    CHECK(r.by_state.at("idle_in_transaction") == 3);
    CHECK(r.by_state.at("idle_in_transaction_aborted") == 1);
    PoolOptions o;
    o.all = true;
    CHECK(diagnose_pool(in, o).idle_in_transaction.size() == 3);
    o.idle_tx = 10s;
    CHECK(diagnose_pool(in, o).idle_in_transaction.size() == 4);
  }

  TEST_CASE("long-running queries: active longer than --long") {
    PoolInput in = input(100, 3);
    add(in, 1, "active", 400);
    add(in, 1, "active", 10);
    PoolReport r = diagnose_pool(in, {});
    CHECK(r.long_running.size() == 1);
    CHECK(r.status == Status::ok);  // listed, not a verdict of its own
  }

  TEST_CASE("a root blocker with a waiter past --lock-wait is critical and named") {
    PoolInput in = input(100, 3);
    in.sessions.push_back(row(10, "idle in transaction", 20));
    in.sessions.push_back(row(11, "active", 15));
    in.sessions.push_back(row(12, "active", 12));
    in.sessions.push_back(row(13, "active", 0.2));
    in.edges = {{11, 10}, {12, 11}, {13, 10}};
    PoolReport r = diagnose_pool(in, {});
    CHECK(r.status == Status::critical);
    REQUIRE(r.blockers.size() == 1);
    CHECK(r.blockers[0].pid == 10);
    CHECK(r.blockers[0].direct_waiters == 2);
    CHECK(r.blockers[0].total_waiters == 3);
    CHECK(r.blockers[0].longest_wait_s == 15);
    CHECK(r.verdict == "one blocker: pid 10 (app, api, idle in transaction for 20s) holding 3 sessions");
    bool hint = false;
    for (const auto& h : r.hints) hint = hint || h == "end the blocker: opsctl db terminate --pid 10 --backend-start 2024-05-01T10:00:00.000000Z";
    CHECK(hint);
  }

  TEST_CASE("a short lock wait is listed but normal") {
    PoolInput in = input(100, 3);
    in.sessions.push_back(row(10, "active", 0.5));
    in.sessions.push_back(row(11, "active", 0.3));
    in.edges = {{11, 10}};
    PoolReport r = diagnose_pool(in, {});
    CHECK(r.blockers.size() == 1);
    CHECK(r.status == Status::ok);
  }

  TEST_CASE("PgBouncer: clients waiting is a warning, a long wait critical, an unreachable console critical") {
    PoolInput in = input(100, 3);
    PoolerView v;
    v.target = "pgb:6432/pgbouncer";
    PoolerPool p;
    p.database = "app";
    p.user = "app";
    p.cl_waiting = 3;
    p.sv_active = 20;
    p.pool_size = 20;
    p.maxwait_s = 1.5;
    v.pools.push_back(p);
    in.pooler = v;
    PoolReport r = diagnose_pool(in, {});
    CHECK(r.status == Status::warning);
    CHECK(r.verdict == "pooler queueing: 3 clients waiting for a server (longest 1.5s) in app/app; 20 of 20 server "
                       "connections busy");
    in.pooler->pools[0].maxwait_s = 6;
    CHECK(diagnose_pool(in, {}).status == Status::critical);
    in.pooler->reachable = false;
    in.pooler->error = "postgres pgb:6432: connection refused";
    r = diagnose_pool(in, {});
    CHECK(r.status == Status::critical);
    CHECK(has(r.verdict, "pgbouncer unreachable"));
  }

  TEST_CASE("opsctl without a slot: critical, says who can still get in") {
    opsctl::pg::Diagnosis d{opsctl::pg::Failure::slots_reserved, "53300",
                            "remaining connection slots are reserved for non-replication superuser connections", ""};
    PoolReport r = diagnose_unreachable(d, "postgres db1: too many clients", std::nullopt, {});
    CHECK(r.status == Status::critical);
    CHECK_FALSE(r.connected);
    CHECK(has(r.verdict, "slots exhausted"));
    CHECK(has(r.verdict, "a superuser can still connect"));
    d.message = "remaining connection slots are reserved for roles with privileges of the \"pg_use_reserved_connections\" role";
    CHECK(has(diagnose_unreachable(d, "", std::nullopt, {}).verdict, "pg_use_reserved_connections"));
    d.failure = opsctl::pg::Failure::role_limit;
    d.message = "too many connections for role \"app\"";
    CHECK(diagnose_unreachable(d, "", std::nullopt, {}).causes[0].kind == "role_limit");
    nlohmann::json j = to_json(diagnose_unreachable(d, "err", std::nullopt, {}));
    CHECK(j["status"] == "critical");
    CHECK(j["available"].is_null());
    CHECK(j["by_state"].is_null());
    CHECK(j["error"] == "err");
  }

  TEST_CASE("JSON keeps the fixed field names of CONVENTIONS.md") {
    PoolInput in = input(12, 3);
    add(in, 2, "idle in transaction", 120);
    nlohmann::json j = to_json(diagnose_pool(in, {}));
    for (const char* k : {"status", "max_connections", "superuser_reserved", "reserved", "used", "available", "by_state",
                          "idle_in_transaction", "long_running", "blockers", "verdict"}) {
      CHECK_MESSAGE(j.contains(k), k);
    }
    CHECK(j["status"] == "warning");
    CHECK(j["idle_in_transaction"][0]["pid"] == 1000);
    CHECK(j["idle_in_transaction"][0]["backend_start"] == "2024-05-01T10:00:00.000000Z");
    CHECK(state_key("idle in transaction (aborted)") == "idle_in_transaction_aborted");
    CHECK(state_key("") == "unknown");
  }
}
