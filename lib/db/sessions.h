#pragma once
// Reading sessions from pg_stat_activity with the filters of db sessions / cancel / terminate.
#include <cstdint>
#include <vector>

#include "db/activity.h"
#include "db/session_filter.h"
#include "pg/connection.h"

namespace opsctl::db {

// Sessions matching f, longest in their current state first, at most limit rows (0: no limit).
std::vector<SessionRow> find_sessions(pg::Connection& c, const SessionFilter& f, std::int64_t limit = 0);

// Every row of pg_stat_activity except opsctl's own backend: client backends and the rest
// (autovacuum, walsenders, background workers), for the pool diagnosis.
std::vector<SessionRow> all_sessions(pg::Connection& c);

// What pg_stat_activity says about one pid now: nullopt when no backend has it.
std::optional<SessionRow> session_by_pid(pg::Connection& c, std::int64_t pid);

}  // namespace opsctl::db
