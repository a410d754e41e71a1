#include "db/session_filter.h"

#include <fmt/format.h>

#include "core/error.h"
#include "util/text.h"

namespace opsctl::db {
namespace {

struct StateName {
  const char* flag;
  const char* pg;
};

constexpr StateName k_states[] = {
    {"active", "active"},
    {"idle", "idle"},
    {"idle-in-transaction", "idle in transaction"},
    {"idle-in-transaction-aborted", "idle in transaction (aborted)"},
    {"fastpath-function-call", "fastpath function call"},
    {"disabled", "disabled"},
    {"starting", "starting"},
};

}  // namespace

bool SessionFilter::empty() const {
  return states.empty() && !older_than && user.empty() && app.empty() && db.empty() && query_like.empty() &&
         pids.empty();
}

const std::vector<std::string>& state_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& s : k_states) v.emplace_back(s.flag);
    return v;
  }();
  return names;
}

std::string normalize_state(std::string_view name) {
  for (const auto& s : k_states) {
    if (name == s.flag || name == s.pg) return s.pg;
  }
  std::string best = util::closest_match(name, state_names());
  throw usage_error(fmt::format("unknown session state '{}'{}; states: {}", name,
                                best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best),
                                fmt::join(state_names(), ", ")));
}

std::string seconds_param(std::chrono::milliseconds d) {
  return fmt::format("{}.{:03}", d.count() / 1000, d.count() % 1000);
}

Conditions filter_conditions(const SessionFilter& f, int first) {
  Conditions c;
  int n = first;
  auto param = [&](std::string value) {
    c.params.emplace_back(std::move(value));
    return fmt::format("${}", n++);
  };
  c.sql += " AND a.pid <> pg_backend_pid()";
  if (!f.all) {
    c.sql += " AND a.backend_type = 'client backend'"
             " AND coalesce(a.application_name, '') NOT IN ('pg_dump', 'pg_dumpall', 'pg_basebackup')";
  }
  if (!f.states.empty()) {
    std::vector<std::string> ors;
    for (const auto& s : f.states) {
      // The aborted variant is idle in a transaction too; LIKE keeps the one placeholder per state.
      if (s == "idle in transaction") ors.push_back(fmt::format("a.state LIKE {} || '%'", param(s)));
      else ors.push_back(fmt::format("a.state = {}", param(s)));
    }
    c.sql += fmt::format(" AND ({})", fmt::join(ors, " OR "));
  }
  if (f.older_than) {
    c.sql += fmt::format(" AND a.state_change < now() - make_interval(secs => {}::float8)",
                         param(seconds_param(*f.older_than)));
  }
  if (!f.user.empty()) c.sql += fmt::format(" AND a.usename = {}", param(f.user));
  if (!f.app.empty()) c.sql += fmt::format(" AND a.application_name = {}", param(f.app));
  if (!f.db.empty()) c.sql += fmt::format(" AND a.datname = {}", param(f.db));
  if (!f.query_like.empty()) {
    std::string pattern = f.query_like.find('%') == std::string::npos ? "%" + f.query_like + "%" : f.query_like;
    c.sql += fmt::format(" AND a.query LIKE {}", param(pattern));
  }
  if (!f.pids.empty()) {
    c.sql += fmt::format(" AND a.pid = ANY({}::int[])", param(fmt::format("{{{}}}", fmt::join(f.pids, ","))));
  }
  if (!f.backend_start.empty()) {
    c.sql += fmt::format(" AND a.backend_start = {}::timestamptz", param(f.backend_start));
  }
  return c;
}

}  // namespace opsctl::db
