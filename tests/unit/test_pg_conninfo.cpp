#include <doctest/doctest.h>

#include <string>

#include "core/error.h"
#include "pg/conninfo.h"

using namespace opsctl::pg;
using namespace std::chrono_literals;

namespace {
std::string value_of(const Keywords& k, const std::string& key) {
  for (const auto& [name, value] : k) {
    if (name == key) return value;
  }
  return "<absent>";
}
}  // namespace

TEST_SUITE("pg conninfo") {
  TEST_CASE("the user's conninfo goes first, as dbname, so opsctl's keywords win over it") {
    Keywords k = connect_keywords("postgresql://app@db1/orders", 5s, Peer::server, SessionGuards::in_options);
    REQUIRE(k.size() == 4);
    CHECK(k[0] == std::pair<std::string, std::string>{"dbname", "postgresql://app@db1/orders"});
    CHECK(k[1].first == "connect_timeout");
    CHECK(value_of(k, "application_name") == "opsctl");
    CHECK(k.back().first == "options");
  }

  TEST_CASE("an empty conninfo leaves host, db and user to libpq's defaults (PG* variables, services)") {
    Keywords k = connect_keywords("", 5s, Peer::server, SessionGuards::in_options);
    CHECK(value_of(k, "dbname") == "<absent>");
    CHECK(value_of(k, "host") == "<absent>");
  }

  TEST_CASE("connect_timeout is whole seconds, rounded up, at least 1") {
    CHECK(value_of(connect_keywords("x", 5s, Peer::server, SessionGuards::none), "connect_timeout") == "5");
    CHECK(value_of(connect_keywords("x", 1500ms, Peer::server, SessionGuards::none), "connect_timeout") == "2");
    CHECK(value_of(connect_keywords("x", 200ms, Peer::server, SessionGuards::none), "connect_timeout") == "1");
  }

  TEST_CASE("session guards: statement, lock and idle-in-transaction timeouts, read-only by default") {
    CHECK(guard_options(5s) == "-c statement_timeout=4500 -c lock_timeout=2500 -c idle_in_transaction_session_timeout=5000 "
                               "-c default_transaction_read_only=on");
    CHECK(guard_options(1ms) == "-c statement_timeout=1 -c lock_timeout=1 -c idle_in_transaction_session_timeout=1 "
                                "-c default_transaction_read_only=on");
    CHECK(value_of(connect_keywords("x", 5s, Peer::server, SessionGuards::in_options), "options") == guard_options(5s));
  }

  TEST_CASE("no options to a PgBouncer console, nor after a pooler refused them") {
    CHECK(value_of(connect_keywords("x", 5s, Peer::pgbouncer_console, SessionGuards::in_options), "options") == "<absent>");
    CHECK(value_of(connect_keywords("x", 5s, Peer::server, SessionGuards::none), "options") == "<absent>");
    CHECK(value_of(connect_keywords("x", 5s, Peer::pgbouncer_console, SessionGuards::none), "application_name") == "opsctl");
  }

  TEST_CASE("validate_conninfo accepts URLs and key=value strings") {
    CHECK_NOTHROW(validate_conninfo("postgresql://app:pw@db1:5432/orders?sslmode=require", "--pg"));
    CHECK_NOTHROW(validate_conninfo("host=db1 port=5432 dbname=orders user=app", "--pg"));
    CHECK_NOTHROW(validate_conninfo("service=prod", "--pg"));
    CHECK_NOTHROW(validate_conninfo("", "--pg"));
  }

  TEST_CASE("a malformed conninfo is a usage error naming its source, never echoing a password") {
    try {
      validate_conninfo("host=db1 password=s3cr3t junk", "DATABASE_URL");
      FAIL("expected a usage error");
    } catch (const opsctl::Error& e) {
      CHECK(e.code() == opsctl::ExitCode::usage);
      std::string m = e.what();
      CHECK(m.find("DATABASE_URL") != std::string::npos);
      CHECK(m.find("s3cr3t") == std::string::npos);
    }
    CHECK_THROWS_AS(validate_conninfo("postgresql://[::1/x", "--pg"), opsctl::Error);
    CHECK_THROWS_AS(validate_conninfo("nokey dbname=x", "--pg"), opsctl::Error);
  }

  TEST_CASE("conninfo_has_password sees URL userinfo and password=") {
    CHECK(conninfo_has_password("postgresql://app:pw@db1/orders"));
    CHECK(conninfo_has_password("host=db1 password='a b'"));
    CHECK_FALSE(conninfo_has_password("postgresql://app@db1/orders"));
    CHECK_FALSE(conninfo_has_password("host=db1 user=app"));
    CHECK_FALSE(conninfo_has_password(""));
    CHECK_FALSE(conninfo_has_password("not a conninfo"));
  }

  TEST_CASE("targets are shown as host:port/db as user, never with the password") {
    CHECK(display_target("db1", "5432", "orders", "app") == "db1:5432/orders as app");
    CHECK(display_target("/var/run/postgresql", "5432", "app", "") == "/var/run/postgresql:5432/app");
    CHECK(describe_conninfo("postgresql://app:s3cr3t@db1:6543/orders") == "db1:6543/orders as app");
    CHECK(describe_conninfo("host=db2 port=5433 dbname=x user=ops password=s3cr3t") == "db2:5433/x as ops");
    CHECK(describe_conninfo("host=db1 user=ops").find("db1:") == 0);  // dbname defaults to the user
    CHECK(describe_conninfo("host=db1 user=ops").find("/ops as ops") != std::string::npos);
  }
}
