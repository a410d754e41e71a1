#include "pg/errors.h"

#include <cctype>

#include <fmt/format.h>

#include "util/duration.h"
#include "util/redact.h"

namespace opsctl::pg {
namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

bool is_sqlstate(std::string_view s) {
  if (s.size() != 5) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string first_line(std::string_view s) {
  std::size_t end = s.find('\n');
  std::string out(s.substr(0, end));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\r' || out.back() == '.')) out.pop_back();
  return out;
}

// libpq prefixes each attempt with 'connection to server at "h", port p failed: '; the reason follows.
std::string strip_attempt_prefix(std::string_view s) {
  if (std::size_t p = s.find("failed: "); p != std::string_view::npos && s.substr(0, p).find('\n') == std::string_view::npos) {
    s.remove_prefix(p + 8);
  }
  return first_line(s);
}

Diagnosis make(Failure f, std::string sqlstate, std::string message, std::string words) {
  return Diagnosis{f, std::move(sqlstate), std::move(message), std::move(words)};
}

Diagnosis classify_53300(std::string message) {
  const std::string state = "53300";
  if (contains(message, "too many connections for role")) {
    return make(Failure::role_limit, state, message,
                fmt::format("{} (SQLSTATE 53300): the role's CONNECTION LIMIT is reached; other roles can still "
                            "connect (see pg_roles.rolconnlimit)", message));
  }
  if (contains(message, "too many connections for database")) {
    return make(Failure::database_limit, state, message,
                fmt::format("{} (SQLSTATE 53300): the database's CONNECTION LIMIT is reached (see "
                            "pg_database.datconnlimit); superusers are exempt", message));
  }
  if (contains(message, "pg_use_reserved_connections") || contains(message, "reserved for roles with privileges")) {
    return make(Failure::slots_reserved, state, message,
                "too many clients (SQLSTATE 53300): every slot a normal role can use is taken; only superusers and "
                "roles granted pg_use_reserved_connections can connect now: run opsctl db pool as one to see why");
  }
  if (contains(message, "reserved")) {
    return make(Failure::slots_reserved, state, message,
                "too many clients (SQLSTATE 53300): every slot a normal role can use is taken; only superusers can "
                "connect now: run opsctl db pool as a superuser to see why");
  }
  return make(Failure::slots_exhausted, state, message,
              "too many clients (SQLSTATE 53300): every connection slot is taken, the superuser reserve too; find "
              "the holders from the application side or the PgBouncer console");
}

Diagnosis classify_state(std::string_view sqlstate, std::string message) {
  std::string s(sqlstate);
  if (s == "53300") return classify_53300(std::move(message));
  // PgBouncer reports a failed login as 08P01 ("SASL authentication failed", "password authentication
  // failed"): the same fix as PostgreSQL's 28P01.
  if (s != "28P01" && contains(message, "authentication failed")) {
    return make(Failure::wrong_password, s, message,
                fmt::format("{} (SQLSTATE {}): wrong password; check PGPASSWORD, ~/.pgpass or the passfile", message, s));
  }
  if (s == "28P01") {
    if (contains(message, "password")) {
      return make(Failure::wrong_password, s, message,
                  fmt::format("{} (SQLSTATE 28P01): wrong password; check PGPASSWORD, ~/.pgpass or the passfile",
                              message));
    }
    return make(Failure::wrong_password, s, message, fmt::format("{} (SQLSTATE 28P01)", message));
  }
  if (s == "28000") {
    return make(Failure::not_allowed, s, message,
                fmt::format("{} (SQLSTATE 28000): not allowed to connect; check the user name and pg_hba.conf", message));
  }
  if (s == "57P03") {
    return make(Failure::starting_up, s, message,
                fmt::format("{} (SQLSTATE 57P03): the server cannot take connections now; retry in a moment", message));
  }
  if (s == "3D000") {
    return make(Failure::no_database, s, message,
                fmt::format("{} (SQLSTATE 3D000): check the database name in --pg, DATABASE_URL or PGDATABASE", message));
  }
  if (s == "57014") {
    if (contains(message, "statement timeout")) {
      return make(Failure::statement_timeout, s, message,
                  fmt::format("{} (SQLSTATE 57014): the query ran past statement_timeout (--timeout); the server is "
                              "slow or the query is blocked", message));
    }
    return make(Failure::canceled, s, message, fmt::format("{} (SQLSTATE 57014)", message));
  }
  if (s == "55P03") {
    return make(Failure::lock_timeout, s, message,
                fmt::format("{} (SQLSTATE 55P03): another session holds the lock; see opsctl db locks", message));
  }
  if (s == "42501") {
    return make(Failure::permission_denied, s, message,
                fmt::format("{} (SQLSTATE 42501): the role lacks the privilege (pg_signal_backend to signal other "
                            "roles' sessions, pg_monitor to see them)", message));
  }
  if (s == "42P01") return make(Failure::undefined_table, s, message, fmt::format("{} (SQLSTATE 42P01)", message));
  if (s == "42703") return make(Failure::undefined_column, s, message, fmt::format("{} (SQLSTATE 42703)", message));
  if (s == "25006") {
    return make(Failure::read_only, s, message,
                fmt::format("{} (SQLSTATE 25006): this server is read-only (a standby?): point --pg at the primary",
                            message));
  }
  if (s == "42883" || s == "42804") {
    return make(Failure::type_mismatch, s, message, fmt::format("{} (SQLSTATE {})", message, s));
  }
  if (s == "08P01" || s.rfind("08", 0) == 0) {
    return make(Failure::pooler_rejected, s, message, fmt::format("{} (SQLSTATE {})", message, s));
  }
  return make(Failure::other, s, message, s.empty() ? message : fmt::format("{} (SQLSTATE {})", message, s));
}

}  // namespace

Diagnosis classify_connect_error(std::string_view text) {
  // Verbose mode: "...failed: FATAL:  53300: sorry, too many clients already\nLOCATION: ...".
  for (std::string_view level : {"FATAL:  ", "ERROR:  ", "PANIC:  "}) {
    std::size_t p = text.find(level);
    if (p == std::string_view::npos) continue;
    std::string_view rest = text.substr(p + level.size());
    if (rest.size() > 7 && is_sqlstate(rest.substr(0, 5)) && rest.substr(5, 2) == ": ") {
      return classify_state(rest.substr(0, 5), first_line(rest.substr(7)));
    }
    return classify_state("", first_line(rest));
  }
  std::string reason = strip_attempt_prefix(text);
  if (contains(text, "Connection refused") || contains(text, "No such file or directory")) {
    return make(Failure::refused, "", reason, "connection refused (is PostgreSQL running and listening there?)");
  }
  if (contains(text, "timeout expired") || contains(text, "timed out")) {
    return make(Failure::timeout, "", reason, "timed out connecting (is the host reachable, and is it PostgreSQL?)");
  }
  if (contains(text, "could not translate host name") || contains(text, "Name or service not known")) {
    return make(Failure::unresolved, "", reason, fmt::format("cannot resolve the host ({})", reason));
  }
  if (contains(text, "no password supplied")) {
    return make(Failure::no_password, "", reason,
                "the server wants a password and none was found: set PGPASSWORD, ~/.pgpass or passfile");
  }
  if (contains(text, "server closed the connection") || contains(text, "terminated abnormally")) {
    return make(Failure::connection_lost, "", reason,
                "the server closed the connection during login (overloaded, or a pooler that refused us?)");
  }
  return make(Failure::other, "", reason, reason.empty() ? "cannot connect" : reason);
}

Diagnosis classify_query_error(std::string_view sqlstate, std::string_view message) {
  return classify_state(sqlstate, first_line(message));
}

Diagnosis timeout_diagnosis(std::chrono::milliseconds timeout, Waiting during) {
  // Exact for what people pass to --timeout (1500ms is "1.5s", not "1s").
  const std::string t = timeout.count() >= 1000 && timeout.count() < 60000 && timeout.count() % 1000 != 0
                            ? fmt::format("{}.{}s", timeout.count() / 1000, (timeout.count() % 1000) / 100)
                            : util::format_duration(timeout);
  if (during == Waiting::connect) {
    return make(Failure::timeout, "", "timeout",
                fmt::format("timed out after {} connecting (is the host reachable, and is it PostgreSQL?)", t));
  }
  return make(Failure::timeout, "", "timeout",
              fmt::format("timed out after {} waiting for a query result, query cancelled (the server is overloaded, "
                          "or a pooler in front of it has no free server connection; raise --timeout if it is just "
                          "slow)", t));
}

ErrorKind error_kind(Failure f) {
  switch (f) {
    case Failure::slots_exhausted:
    case Failure::slots_reserved:
    case Failure::role_limit:
    case Failure::database_limit: return ErrorKind::too_many_clients;
    case Failure::wrong_password:
    case Failure::not_allowed:
    case Failure::no_password: return ErrorKind::auth;
    case Failure::starting_up:
    case Failure::read_only: return ErrorKind::unavailable;
    case Failure::refused: return ErrorKind::connection_refused;
    case Failure::timeout:
    case Failure::statement_timeout:
    case Failure::lock_timeout: return ErrorKind::timeout;
    case Failure::unresolved: return ErrorKind::dns;
    case Failure::connection_lost:
    case Failure::pooler_rejected: return ErrorKind::connection_lost;
    case Failure::permission_denied: return ErrorKind::permission;
    case Failure::undefined_table:
    case Failure::undefined_column:
    case Failure::type_mismatch: return ErrorKind::bad_data;
    case Failure::no_database:
    case Failure::canceled:
    case Failure::other: return ErrorKind::failed;
  }
  return ErrorKind::failed;
}

PgError::PgError(std::string_view target, Diagnosis d)
    : Error(ExitCode::critical, error_kind(d.failure),
            util::redact(fmt::format("postgres {}: {}", target, d.words))),
      diagnosis_(std::move(d)) {}

bool is_too_many_connections(Failure f) {
  return f == Failure::slots_exhausted || f == Failure::slots_reserved || f == Failure::role_limit ||
         f == Failure::database_limit;
}

}  // namespace opsctl::pg
