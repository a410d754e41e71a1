#pragma once
// One row of pg_stat_activity as opsctl shows it, and the SQL that reads it. Every row carries pid
// AND backend_start: together they name one session for its whole life, while a pid alone may
// be reused by the next backend.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/result.h"

namespace opsctl::db {

struct SessionRow {
  std::int64_t pid = 0;
  std::string backend_start;  // ISO 8601 UTC with microseconds: "2024-05-01T10:00:00.123456Z"
  std::string user;
  std::string app;            // application_name
  std::string client;         // client address, "local" for a Unix socket, "" for internal processes
  std::string db;
  std::string state;          // pg_stat_activity.state; "" when NULL (another role's row, or not tracked)
  std::string backend_type;   // "client backend", "autovacuum worker", "walsender", ...
  std::string wait_event_type;
  std::string wait_event;
  std::optional<double> age_s;        // now() - state_change: how long in its current state
  std::optional<double> xact_age_s;   // now() - xact_start; nullopt outside a transaction
  std::optional<double> query_age_s;  // now() - query_start
  std::string query;                  // current or last query, truncated
  bool hidden = false;                // "<insufficient privilege>": only pid, user, app and db are
                                      // visible (grant pg_monitor to see the rest)

  bool is_client() const { return backend_type == "client backend"; }
  // Whether it takes one of the max_connections slots. A row this role may not see (no pg_monitor)
  // hides its backend type: one attached to a database is counted as a client session, as
  // check_postgres counts (background processes have no database).
  bool holds_slot() const { return is_client() || (hidden && !db.empty()); }
  bool idle_in_transaction() const { return state.rfind("idle in transaction", 0) == 0; }
  // pg_dump, pg_dumpall, pg_basebackup: long transactions by design, left out unless --all.
  bool is_tool() const;
};

// How many bytes of each query a row keeps.
constexpr std::size_t query_width = 200;

// The SELECT list over `pg_stat_activity a` that session_from_row() reads. Ages come from now(),
// so a statement sees one consistent clock.
std::string_view activity_columns();

SessionRow session_from_row(const pg::Row& row);
std::vector<SessionRow> sessions_from(const pg::Result& r);

// {"pid","backend_start","user","app","client","db","state","backend_type","wait_event_type",
//  "wait_event","age_seconds","xact_age_seconds","query_age_seconds","query"}; unknown values null.
nlohmann::json to_json(const SessionRow& s);

// A duration as a flag takes it back: "1m", "90s", "1500ms", "2h", "1d" (for hints people paste).
std::string flag_duration(std::chrono::milliseconds d);

// "3m 05s" or "-" for a missing age.
std::string age_text(const std::optional<double>& seconds);

}  // namespace opsctl::db
