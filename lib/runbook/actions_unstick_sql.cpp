// job.unstick's arguments and findings, and its variant for an application's SQL job table (as
// `job unstick --sql`): rows stuck in the running status longer than older_than get set_status.
#include <fmt/format.h>

#include "db/activity.h"
#include "db/job_table.h"
#include "runbook/actions.h"
#include "runbook/actions_queue.h"

namespace opsctl::runbook::actions {

std::vector<ArgSpec> unstick_args() {
  using V = ValueType;
  return {{"queue", V::string, false, "BullMQ queue name (or table)"},
          {"older_than", V::duration, false, "queue: also jobs started longer ago than this (a hung worker); "
                                             "table: how long a row runs before it is stuck (default 45m)"},
          {"to", V::string, false, "queue: wait (default) or failed"},
          {"limit", V::integer, false, "move at most this many jobs"},
          {"table", V::string, false, "an SQL job table (--pg) instead of a queue: TABLE or SCHEMA.TABLE"},
          {"id_column", V::string, false, "table: the id column (default id)"},
          {"status_column", V::string, false, "table: the status column (default status)"},
          {"running_value", V::string, false, "table: the status of a running job (default running)"},
          {"started_column", V::string, false, "table: when the job started (default started_at)"},
          {"set_status", V::string, false, "table: the status stuck jobs get (default failed)"},
          {"reason_column", V::string, false, "table: a text column that gets reason"},
          {"reason", V::string, false, "table: the text written to reason_column"}};
}

std::vector<FindingSpec> unstick_findings() {
  using V = ValueType;
  return {{"matched", V::integer, "stuck jobs found"},
          {"changed", V::integer, "jobs moved (0 in a dry run)"},
          {"ids", V::list, "a sample of their ids"},
          {"locked", V::integer, "jobs left alone: a live worker holds their lock (queue) or their row (table)"},
          {"to", V::string, "where they go: wait or failed (queue), the new status (table)"},
          {"problems", V::list, "jobs skipped for bad data"}};
}

ActionResult unstick_sql(const Args& a, ActionContext& ctx, DryRun dry) {
  if (a.has("queue")) throw a.error("queue", "give queue or table, not both");
  if (a.has("to") && a.str("to") != "wait") throw a.error("to", "is for queues; a table takes set_status");
  db::JobTableSpec spec;
  spec.table = a.str("table");
  spec.id_column = a.str_or("id_column", spec.id_column);
  spec.status_column = a.str_or("status_column", spec.status_column);
  spec.running_value = a.str_or("running_value", spec.running_value);
  spec.started_column = a.str_or("started_column", spec.started_column);
  spec.set_status = a.str_or("set_status", spec.set_status);
  spec.reason_column = a.str_or("reason_column", "");
  spec.older_than = a.duration_or("older_than", std::chrono::minutes(45));
  if (spec.older_than.count() <= 0) throw a.error("older_than", "must be greater than zero");
  spec.reason = a.str_or("reason", fmt::format("stuck in {} for more than {}; reset by opsctl", spec.running_value,
                                               db::flag_duration(spec.older_than)));
  spec.limit = a.integer_or("limit", 0);
  if (spec.limit < 0) throw a.error("limit", "must not be negative");
  if (spec.running_value == spec.set_status) throw a.error("set_status", "must differ from running_value");
  db::parse_qualified_name(spec.table, "table");
  for (auto [arg, name] : {std::pair{"id_column", &spec.id_column}, {"status_column", &spec.status_column},
                           {"started_column", &spec.started_column}}) {
    db::parse_qualified_name(*name, arg, 1);
  }
  if (!spec.reason_column.empty()) db::parse_qualified_name(spec.reason_column, "reason_column", 1);

  pg::Connection& c = ctx.pg();
  db::UnstickReport r = dry == DryRun::yes ? db::preview_unstick(c, spec, 20) : db::unstick_jobs(c, spec);
  std::vector<std::string> ids;
  if (dry == DryRun::yes) {
    for (const auto& row : r.rows) ids.push_back(row.id);
  } else {
    for (std::size_t i = 0; i < r.updated_ids.size() && i < 20; ++i) ids.push_back(r.updated_ids[i]);
  }
  ActionResult out;
  out.target = fmt::format("postgres {} table {}", c.target(), spec.table);
  out.planned = r.matched;
  out.changed = static_cast<std::int64_t>(r.updated_ids.size());
  out.summary = fmt::format("set {} in table {} to {} (running for more than {})",
                            plural(r.matched, "stuck job", "stuck jobs"), spec.table, spec.set_status,
                            db::flag_duration(spec.older_than));
  out.findings = {{"matched", r.matched}, {"changed", out.changed}, {"ids", ids},
                  {"locked", r.locked},   {"to", spec.set_status},  {"problems", nlohmann::json::array()}};
  return out;
}

}  // namespace opsctl::runbook::actions
