#include "cmd/db/filter_flags.h"

#include <fmt/format.h>

#include "core/error.h"
#include "util/duration.h"

namespace opsctl::cmd {

void add_filter_flags(CLI::App& cmd, FilterFlags& f) {
  cmd.add_option("--state", f.states,
                 "session state: active, idle, idle-in-transaction (aborted ones too), idle-in-transaction-aborted, "
                 "fastpath-function-call, disabled (repeatable)");
  cmd.add_option("--older-than", f.older_than, "in its current state for longer than DUR (e.g. 30s, 5m)");
  cmd.add_option("--user", f.user, "role name (exact)");
  cmd.add_option("--app", f.app, "application_name (exact)");
  cmd.add_option("--db", f.db, "database name (exact)");
  cmd.add_option("--query-like", f.query_like, "query text LIKE pattern; without % a substring");
  cmd.add_option("--pid", f.pids, "backend pid (repeatable)");
  cmd.add_option("--backend-start", f.backend_start,
                 "with one --pid: the session's backend_start as db sessions shows it, so a reused pid never matches");
  cmd.add_flag("--all", f.all, "include non-client backends and pg_dump/pg_dumpall/pg_basebackup sessions");
}

db::SessionFilter to_filter(const FilterFlags& f) {
  db::SessionFilter out;
  for (const auto& s : f.states) out.states.push_back(db::normalize_state(s));
  if (!f.older_than.empty()) out.older_than = util::parse_duration(f.older_than);
  out.user = f.user;
  out.app = f.app;
  out.db = f.db;
  out.query_like = f.query_like;
  for (std::int64_t pid : f.pids) {
    if (pid <= 0 || pid > 2147483647) throw usage_error(fmt::format("--pid {}: not a backend pid", pid));
  }
  out.pids = f.pids;
  if (!f.backend_start.empty()) {
    if (f.pids.size() != 1) throw usage_error("--backend-start needs exactly one --pid");
    // The form db sessions prints: 2024-05-01T10:00:00.123456Z. PostgreSQL parses it; checking the
    // shape here turns a typo into a usage error instead of a server error.
    const std::string& t = f.backend_start;
    if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') {
      throw usage_error(fmt::format("--backend-start '{}': expected an ISO 8601 time such as "
                                    "2024-05-01T10:00:00.123456Z (copy it from db sessions)", t));
    }
    out.backend_start = t;
  }
  out.all = f.all;
  return out;
}

}  // namespace opsctl::cmd
