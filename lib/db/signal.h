#pragma once
// Cancelling and terminating sessions, each guarded by pid AND backend_start in the same statement
// that signals it, and by the filters re-checked there: a pid reused by a new session, a session
// that left the state it was chosen for, and opsctl's own backend are never signalled.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "db/activity.h"
#include "db/session_filter.h"
#include "pg/connection.h"

namespace opsctl::db {

enum class Signal { cancel, terminate };

const char* to_string(Signal s);  // "cancel", "terminate"

// Why this signal must not go to this session, or nullopt: a session whose backend_start this role
// cannot see cannot be guarded; a cancel interrupts a running query, and a session idle in a
// transaction runs none, so cancelling it would do nothing.
std::optional<std::string> refusal(Signal s, const SessionRow& row);

struct SignalOutcome {
  SessionRow session;       // as chosen in the preview
  std::string result;       // "would terminate", "terminated", "already ended", "pid reused: not signalled", ...
  std::string reason;       // non-empty when the request could not be carried out (refused, failed)
  bool signalled = false;
  bool matched = true;      // chosen by the filters; false for a --pid they did not choose
};

// The guarded statement: signals row.pid only if it still has row.backend_start and still matches f.
// When the guard does not match, a second look says why (ended, pid reused, changed state).
// Permission errors become the outcome's reason. wait: how long pg_terminate_backend waits for the
// backend to exit (PostgreSQL 14+), zero for no wait.
SignalOutcome signal_session(pg::Connection& c, Signal s, const SessionFilter& f, const SessionRow& row,
                             std::chrono::milliseconds wait);

// For pids named with --pid that the filters did not match: what is there instead.
SignalOutcome explain_unmatched(pg::Connection& c, std::int64_t pid, const std::string& backend_start);

}  // namespace opsctl::db
