#pragma once
// Jobs stuck in a "running" state of an application's own SQL job table (a crashed worker never
// wrote the outcome): set them to another status in one transaction, skipping rows another
// transaction holds (FOR UPDATE SKIP LOCKED: a live worker finishing its job is never overwritten).
// Identifiers are quoted with PQescapeIdentifier, values travel as parameters.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.h"

namespace opsctl::db {

struct JobTableSpec {
  std::string table;                 // as typed: jobs, app.jobs, "Jobs"
  std::string id_column = "id";
  std::string status_column = "status";
  std::string running_value = "running";
  std::string started_column = "started_at";
  std::chrono::milliseconds older_than{0};
  std::string set_status = "failed";
  std::string reason_column;         // optional: gets `reason`
  std::string reason;
  std::int64_t limit = 0;            // 0: every stuck row
};

// Splits a possibly qualified, possibly quoted name as SQL reads it: unquoted parts fold to lower
// case, "Quoted" parts keep theirs ("" is a quote). schema.table at most. Throws usage_error naming
// what (e.g. "--table") when malformed or empty.
std::vector<std::string> parse_qualified_name(std::string_view text, std::string_view what, std::size_t max_parts = 2);

using QuoteIdentifier = std::function<std::string(std::string_view)>;

struct JobTableSql {
  std::string count;      // $1 running value, $2 seconds
  std::string preview;    // + LIMIT sample
  std::string update;     // $1, $2, $3 new status[, $4 reason]: RETURNING id
  std::string unlocked;   // stuck rows this transaction could lock (SKIP LOCKED)
  std::string target;     // "public"."jobs" as quoted
};

// The statements for spec, every identifier through quote (pure: unit-tested with a fake quote).
JobTableSql job_table_sql(const JobTableSpec& spec, const QuoteIdentifier& quote, std::size_t sample);

std::vector<pg::Param> job_table_params(const JobTableSpec& spec, bool for_update);

struct StuckRow {
  std::string id;
  std::string status;
  std::string started_at;
  double age_s = 0;
};

struct UnstickReport {
  std::int64_t matched = 0;               // rows stuck when the statement ran
  std::vector<StuckRow> rows;             // the sample (preview)
  std::vector<std::string> updated_ids;   // changed rows (apply)
  std::int64_t locked = 0;                // stuck rows another transaction held (skipped)
  std::int64_t beyond_limit = 0;          // stuck rows left for a next run by --limit
};

// Counts and samples the stuck rows; changes nothing (read-only).
UnstickReport preview_unstick(pg::Connection& c, const JobTableSpec& spec, std::size_t sample);

// Updates them in one READ WRITE transaction and commits.
UnstickReport unstick_jobs(pg::Connection& c, const JobTableSpec& spec);

}  // namespace opsctl::db
