#pragma once
// `job unstick --sql`: jobs stuck in "running" in an application's SQL job table.
// Kept apart from BullMQ's `job unstick QUEUE` (cmd/job/unstick.cpp) so both can live in one verb:
// that verb binds the flags below and calls run_job_unstick_sql() when --sql is given.
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "cmd/session.h"

namespace opsctl::cmd {

struct UnstickSqlFlags {
  bool sql = false;                      // --sql
  std::string table;                     // --table T or SCHEMA.T (required)
  std::string id_column = "id";
  std::string status_column = "status";
  std::string running_value = "running";
  std::string started_column = "started_at";
  std::string set_status = "failed";
  std::string reason_column;             // optional
  std::string reason;                    // default: "stuck in <running> for more than <older-than>; reset by opsctl"
  // Shared with the BullMQ variant (same names, same meaning): the verb binds them once.
  std::string older_than;                // --older-than DUR (required with --sql)
  std::int64_t limit = 0;                // --limit N, 0: all
  bool dry_run = false;                  // --dry-run
};

// The flags only the SQL variant has: --sql, --table, --id-column, --status-column, --running-value,
// --started-column, --set-status, --reason-column, --reason.
void add_unstick_sql_flags(CLI::App& cmd, UnstickSqlFlags& f);

// Runs the SQL variant through the mutation protocol. Usage errors: no --table, no --older-than.
int run_job_unstick_sql(Session& s, const UnstickSqlFlags& f);

}  // namespace opsctl::cmd
