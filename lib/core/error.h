#pragma once
// The one error type of the library. Every failure that should stop a command is an Error carrying
// the exit code (opsctl(1), EXIT STATUS) and a one-line message that already names the (redacted)
// target.
// cmd/app.cpp is the only place that turns it into stderr text and a process exit status.
#include <stdexcept>
#include <string>

namespace opsctl {

enum class ExitCode : int {
  ok = 0,
  warning = 1,
  critical = 2,  // a check crossed a critical threshold, a target was unreachable, an action failed
  unknown = 3,   // opsctl could not tell: unexpected data, internal error
  not_done = 4,  // confirmation declined, mutation refused (no --yes without a TTY, read_only context)
  usage = 64,
  config = 78,
};

// What went wrong, in one stable word for machines: the `error.kind` of `-o json` and the `error`
// label of `*_up 0` in Prometheus output (documented in opsctl(1), ERRORS).
enum class ErrorKind {
  usage,               // bad flags or arguments
  config,              // unreadable or invalid config or runbook file
  connection_refused,  // nothing listens at the target
  timeout,             // a deadline (--timeout) passed
  dns,                 // the host name does not resolve
  tls,                 // the TLS handshake failed: certificate not trusted, wrong name, expired
  auth,                // wrong or missing password, not allowed in (pg_hba, ACL)
  too_many_clients,    // the server has no free connection slot for us
  connection_lost,     // the connection dropped or was closed by the server
  unavailable,         // the server answers but cannot serve now (loading, starting up, replica, busy)
  permission,          // the user may not do this (ACL, SQL privileges)
  bad_data,            // unexpected data: a key of the wrong type, a job hash opsctl cannot read
  io,                  // a local file could not be read or written, stdout closed
  not_done,            // a mutation was refused or declined
  failed,              // an action failed for another reason
  internal,            // a bug of opsctl's
};

// "connection_refused", ...
const char* to_string(ErrorKind k);

// The kind an error has when its thrower does not say: from its exit code.
constexpr ErrorKind default_kind(ExitCode code) {
  switch (code) {
    case ExitCode::usage: return ErrorKind::usage;
    case ExitCode::config: return ErrorKind::config;
    case ExitCode::not_done: return ErrorKind::not_done;
    case ExitCode::unknown: return ErrorKind::bad_data;
    default: return ErrorKind::failed;
  }
}

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message)
      : std::runtime_error(message), code_(code), kind_(default_kind(code)) {}
  Error(ExitCode code, ErrorKind kind, const std::string& message)
      : std::runtime_error(message), code_(code), kind_(kind) {}
  ExitCode code() const { return code_; }
  ErrorKind kind() const { return kind_; }

 private:
  ExitCode code_;
  ErrorKind kind_;
};

// Shorthands for the common kinds, so call sites read as what went wrong.
inline Error usage_error(const std::string& m) { return Error(ExitCode::usage, m); }
inline Error config_error(const std::string& m) { return Error(ExitCode::config, m); }
inline Error unknown_error(const std::string& m) { return Error(ExitCode::unknown, m); }
inline Error critical_error(const std::string& m) { return Error(ExitCode::critical, m); }
inline Error refused_error(const std::string& m) { return Error(ExitCode::not_done, m); }

}  // namespace opsctl
