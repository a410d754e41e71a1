#include <doctest/doctest.h>

#include <string>

#include "pg/errors.h"

using namespace opsctl::pg;

namespace {
// What libpq 15 writes for a failed login in verbose mode.
std::string fatal(const std::string& state, const std::string& message) {
  return "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  " + state + ": " + message +
         "\nLOCATION:  InitPostgres, postinit.c:886\n";
}
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_SUITE("pg errors") {
  TEST_CASE("53300: every variant of the message, up to PostgreSQL 17") {
    auto d = classify_connect_error(fatal("53300", "sorry, too many clients already"));
    CHECK(d.failure == Failure::slots_exhausted);
    CHECK(d.sqlstate == "53300");
    CHECK(has(d.words, "too many clients (SQLSTATE 53300)"));
    CHECK(has(d.words, "superuser reserve too"));

    d = classify_connect_error(fatal("53300", "remaining connection slots are reserved for non-replication superuser connections"));
    CHECK(d.failure == Failure::slots_reserved);
    CHECK(has(d.words, "only superusers can connect"));

    d = classify_connect_error(fatal("53300", "remaining connection slots are reserved for roles with the SUPERUSER attribute"));
    CHECK(d.failure == Failure::slots_reserved);

    d = classify_connect_error(fatal("53300", "remaining connection slots are reserved for roles with privileges of the "
                                              "\"pg_use_reserved_connections\" role"));
    CHECK(d.failure == Failure::slots_reserved);
    CHECK(has(d.words, "pg_use_reserved_connections"));

    d = classify_connect_error(fatal("53300", "too many connections for role \"app\""));
    CHECK(d.failure == Failure::role_limit);
    CHECK(has(d.words, "CONNECTION LIMIT"));

    d = classify_connect_error(fatal("53300", "too many connections for database \"orders\""));
    CHECK(d.failure == Failure::database_limit);
    for (auto f : {Failure::slots_exhausted, Failure::slots_reserved, Failure::role_limit, Failure::database_limit}) {
      CHECK(is_too_many_connections(f));
    }
    CHECK_FALSE(is_too_many_connections(Failure::wrong_password));
  }

  TEST_CASE("login failures name the fix") {
    auto d = classify_connect_error(fatal("28P01", "password authentication failed for user \"app\""));
    CHECK(d.failure == Failure::wrong_password);
    CHECK(has(d.words, "PGPASSWORD"));
    d = classify_connect_error(fatal("28000", "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"x\""));
    CHECK(d.failure == Failure::not_allowed);
    d = classify_connect_error(fatal("57P03", "the database system is starting up"));
    CHECK(d.failure == Failure::starting_up);
    CHECK(has(d.words, "retry"));
    d = classify_connect_error(fatal("3D000", "database \"nodb\" does not exist"));
    CHECK(d.failure == Failure::no_database);
    CHECK(has(d.words, "database \"nodb\" does not exist"));
    d = classify_connect_error("connection to server at \"127.0.0.1\", port 5432 failed: fe_sendauth: no password supplied\n");
    CHECK(d.failure == Failure::no_password);
    // PgBouncer says 08P01 for a failed login.
    d = classify_connect_error(fatal("08P01", "SASL authentication failed"));
    CHECK(d.failure == Failure::wrong_password);
  }

  TEST_CASE("network failures without a server message") {
    auto d = classify_connect_error("connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n"
                                    "\tIs the server running on that host and accepting TCP/IP connections?\n");
    CHECK(d.failure == Failure::refused);
    CHECK(has(d.words, "connection refused"));
    CHECK(d.sqlstate.empty());
    d = classify_connect_error("connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: No such file or directory\n");
    CHECK(d.failure == Failure::refused);
    d = classify_connect_error("timeout expired\n");
    CHECK(d.failure == Failure::timeout);
    d = classify_connect_error("could not translate host name \"nohost.invalid\" to address: Name or service not known\n");
    CHECK(d.failure == Failure::unresolved);
    d = classify_connect_error("server closed the connection unexpectedly\n\tThis probably means ...\n");
    CHECK(d.failure == Failure::connection_lost);
    d = classify_connect_error("something new\n");
    CHECK(d.failure == Failure::other);
    CHECK(d.words == "something new");
  }

  TEST_CASE("query errors by SQLSTATE") {
    CHECK(classify_query_error("57014", "canceling statement due to statement timeout").failure == Failure::statement_timeout);
    CHECK(classify_query_error("57014", "canceling statement due to user request").failure == Failure::canceled);
    CHECK(classify_query_error("55P03", "canceling statement due to lock timeout").failure == Failure::lock_timeout);
    auto d = classify_query_error("42501", "permission denied to terminate process");
    CHECK(d.failure == Failure::permission_denied);
    CHECK(has(d.words, "pg_signal_backend"));
    CHECK(classify_query_error("25006", "cannot execute UPDATE in a read-only transaction").failure == Failure::read_only);
    CHECK(classify_query_error("42P01", "relation \"jobz\" does not exist").failure == Failure::undefined_table);
    CHECK(classify_query_error("42703", "column \"x\" does not exist").failure == Failure::undefined_column);
    CHECK(classify_query_error("42883", "operator does not exist: bigint < timestamp with time zone").failure ==
          Failure::type_mismatch);
    CHECK(classify_query_error("XX000", "boom").words == "boom (SQLSTATE XX000)");
  }

  TEST_CASE("opsctl's own deadline") {
    using namespace std::chrono_literals;
    auto d = timeout_diagnosis(1500ms, Waiting::connect);
    CHECK(d.failure == Failure::timeout);
    CHECK(has(d.words, "timed out after 1.5s connecting"));
    CHECK(has(timeout_diagnosis(5s, Waiting::result).words, "query cancelled"));
  }

  TEST_CASE("PgError: exit 2, one line naming the target, redacted") {
    PgError e("db1:5432/orders as app", classify_connect_error(fatal("53300", "sorry, too many clients already")));
    CHECK(e.code() == opsctl::ExitCode::critical);
    CHECK(std::string(e.what()).rfind("postgres db1:5432/orders as app: too many clients (SQLSTATE 53300): ", 0) == 0);
    CHECK(e.failure() == Failure::slots_exhausted);
    PgError leaky("postgresql://app:s3cr3t@db1/x", classify_connect_error("timeout expired"));
    CHECK_FALSE(has(leaky.what(), "s3cr3t"));
  }
}
