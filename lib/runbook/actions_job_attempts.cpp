// job.attempts: the stuck rows of an application's SQL job table that keep failing (their attempts
// column at or above a limit), which a runbook escalates instead of resetting them again. Read-only;
// identifiers quoted with PQescapeIdentifier, values as parameters.
#include <fmt/format.h>

#include "db/activity.h"
#include "db/job_table.h"
#include "pg/result.h"
#include "runbook/actions.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

std::string quoted(pg::Connection& c, const std::string& name, const char* what, std::size_t parts) {
  std::string out;
  for (const auto& p : db::parse_qualified_name(name, what, parts)) out += (out.empty() ? "" : ".") + c.escape_identifier(p);
  return out;
}

ActionResult job_attempts(const Args& a, ActionContext& ctx, DryRun) {
  std::string table = a.str("table");
  auto older_than = a.duration_or("older_than", std::chrono::minutes(45));
  std::int64_t max_attempts = a.integer_or("max_attempts", 3);
  if (older_than.count() <= 0) throw a.error("older_than", "must be greater than zero");
  if (max_attempts < 1) throw a.error("max_attempts", "must be at least 1");
  pg::Connection& c = ctx.pg();
  std::string sql = fmt::format(
      "SELECT count(*) OVER () AS n, {id}::text AS id, {att}::bigint AS attempts FROM {t} "
      "WHERE {st} = $1 AND {started} < now() - make_interval(secs => $2::float8) AND {att} >= $3::bigint "
      "ORDER BY {att} DESC, {started} LIMIT 20",
      fmt::arg("t", quoted(c, table, "table", 2)), fmt::arg("id", quoted(c, a.str_or("id_column", "id"), "id_column", 1)),
      fmt::arg("st", quoted(c, a.str_or("status_column", "status"), "status_column", 1)),
      fmt::arg("started", quoted(c, a.str_or("started_column", "started_at"), "started_column", 1)),
      fmt::arg("att", quoted(c, a.str_or("attempts_column", "attempts"), "attempts_column", 1)));
  pg::Result r = c.query(sql, {a.str_or("running_value", "running"), std::to_string(older_than.count() / 1000.0),
                               std::to_string(max_attempts)});
  json ids = json::array();
  std::int64_t n = 0, most = 0;
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    pg::Row row(r, i);
    n = row.integer("n").value_or(0);
    most = std::max(most, row.integer("attempts").value_or(0));
    ids.push_back(row.text("id"));
  }
  ActionResult out;
  out.target = fmt::format("postgres {} table {}", c.target(), table);
  out.findings = {{"repeat", n}, {"ids", ids}, {"max_attempts_seen", most}, {"max_attempts", max_attempts}};
  out.summary = fmt::format("{} running for more than {} with {} or more attempts", plural(n, "stuck job", "stuck jobs"),
                            db::flag_duration(older_than), max_attempts);
  out.status = n > 0 ? Status::critical : Status::ok;
  return out;
}

}  // namespace

void add_job_attempts(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"job.attempts", "stuck rows of an SQL job table that keep failing (attempts at or above a limit)",
           Effect::reads,
           {{"table", V::string, true, "TABLE or SCHEMA.TABLE (--pg)"},
            {"older_than", V::duration, false, "how long a row runs before it is stuck (default 45m)"},
            {"max_attempts", V::integer, false, "attempts that make a job one that keeps failing (default 3)"},
            {"id_column", V::string, false, "the id column (default id)"},
            {"status_column", V::string, false, "the status column (default status)"},
            {"running_value", V::string, false, "the status of a running job (default running)"},
            {"started_column", V::string, false, "when the job started (default started_at)"},
            {"attempts_column", V::string, false, "how often the job was tried (default attempts)"}},
           {{"repeat", V::integer, "stuck jobs with max_attempts or more attempts"},
            {"ids", V::list, "a sample of their ids, most attempts first"},
            {"max_attempts_seen", V::integer, "the most attempts among them"},
            {"max_attempts", V::integer, "the limit"}},
           job_attempts});
}

}  // namespace opsctl::runbook::actions
