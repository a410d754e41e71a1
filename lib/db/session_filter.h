#pragma once
// The filters of db sessions, db cancel and db terminate, turned into SQL conditions with
// parameters (never spliced values). Pure, so the SQL of every filter is unit-tested.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.h"

namespace opsctl::db {

struct SessionFilter {
  std::vector<std::string> states;               // normalized: "active", "idle in transaction", ...
  std::optional<std::chrono::milliseconds> older_than;  // time in the current state
  std::string user;
  std::string app;
  std::string db;
  std::string query_like;                        // LIKE pattern; without '%' a substring
  std::vector<std::int64_t> pids;
  std::string backend_start;                     // with exactly one pid: the session, not just the pid
  bool all = false;                              // include non-client backends and pg_dump & co.

  bool empty() const;                            // no filter at all: "every session"
};

// pg_stat_activity states by their names on the command line.
const std::vector<std::string>& state_names();  // "active", "idle", "idle-in-transaction", ...

// "idle-in-transaction" (or "idle in transaction") -> "idle in transaction". Throws usage_error
// listing the valid names, with a did-you-mean, for anything else.
std::string normalize_state(std::string_view name);

struct Conditions {
  std::string sql;                  // " AND ..." conditions over `pg_stat_activity a`
  std::vector<pg::Param> params;    // bound to $first, $first+1, ...
};

// Conditions for f, numbering parameters from first. Always excludes opsctl's own backend
// (pg_backend_pid()); unless f.all, also non-client backends and pg_dump/pg_dumpall/pg_basebackup.
// "idle in transaction" matches the aborted variant too: both hold a slot until the client acts.
Conditions filter_conditions(const SessionFilter& f, int first = 1);

// "1.5" for 1500 ms: seconds as SQL make_interval(secs => ...) reads them.
std::string seconds_param(std::chrono::milliseconds d);

}  // namespace opsctl::db
