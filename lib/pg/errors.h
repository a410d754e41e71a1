#pragma once
// PostgreSQL failures in words an on-call engineer acts on. libpq gives a failed connection no
// PGresult, so the connect path reads the SQLSTATE from the verbose error text ("FATAL:  53300: ...");
// queries read it from the result. Classification is pure, so every mapping is unit-tested.
#include <chrono>
#include <string>
#include <string_view>

#include "core/error.h"

namespace opsctl::pg {

enum class Failure {
  other,
  slots_exhausted,        // 53300 sorry, too many clients already: reserves taken too
  slots_reserved,         // 53300 the rest is reserved for superusers (and pg_use_reserved_connections)
  role_limit,             // 53300 too many connections for role "x"
  database_limit,         // 53300 too many connections for database "x"
  wrong_password,         // 28P01
  not_allowed,            // 28000: no pg_hba.conf entry, role does not exist
  no_password,            // the server asked for a password and none was found
  starting_up,            // 57P03: starting up, shutting down, in recovery
  no_database,            // 3D000
  refused,                // nothing listens there
  timeout,                // opsctl's deadline passed
  unresolved,             // host name does not resolve
  connection_lost,        // the server closed the connection
  pooler_rejected,        // PgBouncer refused the client (08P01 and friends)
  statement_timeout,      // 57014 canceling statement due to statement timeout
  canceled,               // 57014 other
  lock_timeout,           // 55P03
  permission_denied,      // 42501
  undefined_table,        // 42P01
  undefined_column,       // 42703
  read_only,              // 25006
  type_mismatch,          // 42883 / 42804: a column of an unexpected type
};

struct Diagnosis {
  Failure failure = Failure::other;
  std::string sqlstate;  // "" when none was sent
  std::string message;   // the server's (or libpq's) primary message, one line
  std::string words;     // what opsctl says about it: "too many clients (SQLSTATE 53300): ..."
};

// A failed connection attempt, from PQerrorMessage in verbose mode. timeout is for the wording.
Diagnosis classify_connect_error(std::string_view libpq_message);
// A failed query: SQLSTATE and primary message from the result.
Diagnosis classify_query_error(std::string_view sqlstate, std::string_view message);
// opsctl's own deadline passed, connecting or waiting for a result.
enum class Waiting { connect, result };
Diagnosis timeout_diagnosis(std::chrono::milliseconds timeout, Waiting during);

// The ErrorKind of a failure (for `error.kind` and Prometheus' error label).
ErrorKind error_kind(Failure f);

// The Error of lib/pg: exit 2 (a target unreachable or an action failed), message
// "postgres <target>: <words>", redacted, plus the diagnosis for callers that decide on it
// (db pool answers a 53300 with a report instead of an error).
class PgError : public Error {
 public:
  PgError(std::string_view target, Diagnosis d);
  const Diagnosis& diagnosis() const { return diagnosis_; }
  Failure failure() const { return diagnosis_.failure; }

 private:
  Diagnosis diagnosis_;
};

// True for the failures that mean "no free slot for this role": the 53300 family.
bool is_too_many_connections(Failure f);

}  // namespace opsctl::pg
