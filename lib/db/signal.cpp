#include "db/signal.h"

#include <fmt/format.h>

#include "db/sessions.h"

namespace opsctl::db {
namespace {

const char* past(Signal s) { return s == Signal::cancel ? "cancelled" : "terminated"; }

}  // namespace

const char* to_string(Signal s) { return s == Signal::cancel ? "cancel" : "terminate"; }

std::optional<std::string> refusal(Signal s, const SessionRow& row) {
  if (row.backend_start.empty()) {
    return std::string("this role cannot see the session's backend_start (grant it pg_monitor), so the pid-reuse "
                       "guard cannot be applied");
  }
  if (s == Signal::cancel && row.idle_in_transaction()) {
    return std::string("idle in transaction: a cancel does nothing to a session that runs no query; "
                       "use opsctl db terminate");
  }
  return std::nullopt;
}

SignalOutcome signal_session(pg::Connection& c, Signal s, const SessionFilter& f, const SessionRow& row,
                             std::chrono::milliseconds wait) {
  SignalOutcome out{row, "", "", false, true};
  if (auto why = refusal(s, row)) {
    out.result = "refused";
    out.reason = *why;
    return out;
  }
  // $1 pid, $2 backend_start, $3 wait (terminate on 14+), then the filters: one statement, so the
  // session signalled is the one chosen, in the state it was chosen for.
  const bool timed = s == Signal::terminate && c.server_version() >= 140000 && wait.count() > 0;
  Conditions cond = filter_conditions(f, timed ? 4 : 3);
  std::string call = s == Signal::cancel ? "pg_cancel_backend(a.pid)"
                                         : timed ? "pg_terminate_backend(a.pid, $3::bigint)" : "pg_terminate_backend(a.pid)";
  if (s == Signal::cancel) cond.sql += " AND coalesce(a.state, '') NOT LIKE 'idle in transaction%'";
  std::vector<pg::Param> params{std::to_string(row.pid), row.backend_start};
  if (timed) params.emplace_back(std::to_string(wait.count()));
  params.insert(params.end(), cond.params.begin(), cond.params.end());
  const std::string sql = fmt::format(
      "SELECT a.pid, {} AS signalled FROM pg_stat_activity a "
      "WHERE a.pid = $1::int AND a.backend_start = $2::timestamptz{}",
      call, cond.sql);
  c.take_notices();
  pg::Result r;
  try {
    r = c.query(sql, params);
  } catch (const pg::PgError& e) {
    if (e.failure() != pg::Failure::permission_denied) throw;
    out.result = "refused";
    out.reason = e.diagnosis().words;
    return out;
  }
  if (!r.rows.empty()) {
    out.signalled = pg::Row(r, 0).boolean("signalled");
    out.result = out.signalled ? past(s) : "not signalled";
    for (const auto& n : c.take_notices()) {
      if (n.find("did not terminate") != std::string::npos) {
        out.result = "signalled, still running";
        out.reason = n;
      } else if (!out.signalled) {
        out.reason = n;
      }
    }
    if (!out.signalled && out.reason.empty()) out.reason = "the server did not send the signal";
    return out;
  }
  // The guard did not match: say why, touching nothing.
  std::optional<SessionRow> now = session_by_pid(c, row.pid);
  if (!now) out.result = "already ended";
  else if (now->backend_start != row.backend_start) out.result = "pid reused: not signalled";
  else out.result = "no longer matches: not signalled";
  return out;
}

SignalOutcome explain_unmatched(pg::Connection& c, std::int64_t pid, const std::string& backend_start) {
  SignalOutcome out;
  out.matched = false;
  out.session.pid = pid;
  out.session.backend_start = backend_start;
  std::optional<SessionRow> now = session_by_pid(c, pid);
  out.result = "not signalled";
  if (!now) {
    out.result = "not found";
    out.reason = fmt::format("no session has pid {}", pid);
  } else if (!backend_start.empty() && now->backend_start != backend_start) {
    out.session = *now;
    out.result = "pid reused: not signalled";
    out.reason = fmt::format("pid {} now belongs to a session started at {}, not {}", pid, now->backend_start, backend_start);
  } else if (pid == c.backend_pid()) {
    out.reason = "that is opsctl's own session";
  } else {
    out.session = *now;
    out.reason = fmt::format("pid {} does not match the other filters (or is excluded: a non-client backend or "
                             "pg_dump & co.; --all lifts that)", pid);
  }
  return out;
}

}  // namespace opsctl::db
