#include "cmd/job/unstick_sql.h"

#include <fmt/format.h>

#include "cmd/db/render.h"
#include "cmd/mutation.h"
#include "core/error.h"
#include "db/activity.h"
#include "db/job_table.h"
#include "output/table.h"
#include "util/duration.h"

namespace opsctl::cmd {
namespace {

db::JobTableSpec to_spec(const UnstickSqlFlags& f) {
  if (f.table.empty()) throw usage_error("job unstick --sql needs --table (the job table, e.g. --table jobs)");
  if (f.older_than.empty()) {
    throw usage_error("job unstick --sql needs --older-than DUR: only jobs running longer than that are stuck");
  }
  if (f.limit < 0) throw usage_error("--limit must not be negative");
  db::JobTableSpec spec;
  spec.table = f.table;
  spec.id_column = f.id_column;
  spec.status_column = f.status_column;
  spec.running_value = f.running_value;
  spec.started_column = f.started_column;
  spec.older_than = util::parse_duration(f.older_than);
  if (spec.older_than.count() <= 0) throw usage_error("--older-than must be greater than zero");
  spec.set_status = f.set_status;
  spec.reason_column = f.reason_column;
  spec.reason = !f.reason.empty() ? f.reason
                                  : fmt::format("stuck in {} for more than {}; reset by opsctl", f.running_value,
                                                db::flag_duration(spec.older_than));
  spec.limit = f.limit;
  if (spec.running_value == spec.set_status) throw usage_error("--set-status must differ from --running-value");
  // Names are checked here, before any connection: a typo is a usage error, not a server error.
  db::parse_qualified_name(spec.table, "--table");
  for (auto [flag, name] : {std::pair{"--id-column", &spec.id_column}, {"--status-column", &spec.status_column},
                            {"--started-column", &spec.started_column}}) {
    db::parse_qualified_name(*name, flag, 1);
  }
  if (!spec.reason_column.empty()) db::parse_qualified_name(spec.reason_column, "--reason-column", 1);
  return spec;
}

std::string rows_text(const std::vector<db::StuckRow>& rows) {
  using output::Align;
  output::Table t({"ID", "STATUS", "STARTED AT", "RUNNING FOR"}, {Align::left, Align::left, Align::left, Align::right});
  for (const auto& r : rows) {
    t.add_row({one_line(r.id, 40), one_line(r.status, 20), r.started_at, db::age_text(r.age_s)});
  }
  return t.render();
}

}  // namespace

void add_unstick_sql_flags(CLI::App& cmd, UnstickSqlFlags& f) {
  cmd.add_flag("--sql", f.sql, "the jobs live in a PostgreSQL table (--pg), not in BullMQ");
  cmd.add_option("--table", f.table, "with --sql: the job table, TABLE or SCHEMA.TABLE (quote mixed case: '\"Jobs\"')");
  cmd.add_option("--id-column", f.id_column, "with --sql: the id column (default id)");
  cmd.add_option("--status-column", f.status_column, "with --sql: the status column (default status)");
  cmd.add_option("--running-value", f.running_value, "with --sql: the status of a running job (default running)");
  cmd.add_option("--started-column", f.started_column, "with --sql: when the job started, a timestamp (default started_at)");
  cmd.add_option("--set-status", f.set_status, "with --sql: the status stuck jobs get (default failed)");
  cmd.add_option("--reason-column", f.reason_column, "with --sql: a text column that gets --reason");
  cmd.add_option("--reason", f.reason, "with --sql: the text for --reason-column");
}

int run_job_unstick_sql(Session& s, const UnstickSqlFlags& f) {
  const db::JobTableSpec spec = to_spec(f);
  MutationSpec m;
  m.action = "job.unstick";
  m.target = fmt::format("postgres {} table {}", s.pg_display(), spec.table);
  m.verb_phrase = "unstick";
  m.noun_phrase = fmt::format("jobs ({} = {} for more than {}, set to {})", spec.status_column, spec.running_value,
                              db::flag_duration(spec.older_than), spec.set_status);
  m.dry_run = f.dry_run;
  auto preview = [&] {
    db::UnstickReport rep = db::preview_unstick(s.pg(), spec, mutation::sample_size);
    mutation::Result r;
    r.action = m.action;
    r.target = m.target;
    r.matched = rep.matched;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : rep.rows) {
      r.add_sample(row.id);
      rows.push_back({{"id", row.id}, {"status", row.status}, {"started_at", row.started_at},
                      {"running_seconds", static_cast<std::int64_t>(row.age_s)}});
    }
    r.details["rows"] = rows;
    if (!rep.rows.empty()) {
      r.details_text = rows_text(rep.rows) +
                       (rep.matched > static_cast<std::int64_t>(rep.rows.size())
                            ? fmt::format("... and {} more\n", rep.matched - static_cast<std::int64_t>(rep.rows.size()))
                            : "") + "\n";
    }
    if (rep.beyond_limit > 0) r.details["left_for_next_run"] = rep.beyond_limit;
    return r;
  };
  auto apply = [&] {
    db::UnstickReport rep = db::unstick_jobs(s.pg(), spec);
    mutation::Result r;
    r.action = m.action;
    r.target = m.target;
    r.matched = rep.matched;
    r.changed = static_cast<std::int64_t>(rep.updated_ids.size());
    for (const auto& id : rep.updated_ids) r.add_sample(id);
    if (rep.locked > 0) {
      r.problems.push_back({"", "", "", fmt::format("{} held by another transaction (FOR UPDATE SKIP LOCKED): not "
                                                    "changed; run again once it ends",
                                                    rep.locked == 1 ? "1 stuck row is" : fmt::format("{} stuck rows are", rep.locked))});
    }
    if (rep.beyond_limit > 0) r.details["left_for_next_run"] = rep.beyond_limit;
    return r;
  };
  return run_mutation(s, m, preview, apply);
}

}  // namespace opsctl::cmd
