// `job show` on PostgreSQL: one job row (SELECT *, as Job.fromId) with its log count and last 100 log
// lines; an active job whose lock expired by the database clock is reported stuck.
#include <fmt/format.h>

#include "queue/postgres/db.h"

namespace opsctl::queue::pgq {

std::optional<JobDetail> load_job(Db& db, const QueueRef& ref, const std::string& id) {
  const std::string S = db.qualified(ref.prefix);
  auto r = db.query(fmt::format(
      "SELECT j.*, (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms,"
      " (SELECT count(*) FROM {0}.job_log l WHERE l.queue = j.queue AND l.job_id = j.id) AS log_count"
      " FROM {0}.job j WHERE j.queue = $1 AND j.id = $2",
      S),
      {ref.name, id});
  if (r.rows.empty()) return std::nullopt;
  pg::Row row(r, 0);
  JobDetail d;
  d.id = id;
  d.has_hash = true;
  d.state = public_state(row);
  d.name = row.value("name");
  d.data = json_column(row.value("data"));
  if (d.data.is_null()) d.data = nlohmann::json::object();
  d.opts = json_column(row.value("opts"));
  if (d.opts.is_null()) d.opts = nlohmann::json::object();
  d.returnvalue = json_column(row.value("return_value"));
  d.progress = json_column(row.value("progress"));
  if (d.progress.is_null()) d.progress = 0;
  d.attempts_made = row.integer("attempts_made").value_or(0);
  d.attempts_started = row.integer("attempts_started").value_or(0);
  d.stalled_count = row.integer("stalled_count").value_or(0);
  d.failed_reason = row.value("failed_reason");
  d.will_fail_reason = row.value("deferred_failure");
  auto st = json_column(row.value("stacktrace"));
  d.stacktrace = st.is_array() ? st : nlohmann::json::array();
  d.timestamp = row.integer("added_at_ms");
  d.processed_on = row.integer("processed_at_ms");
  d.finished_on = row.integer("finished_at_ms");
  d.delay = row.integer("delay_ms");
  d.priority = row.integer("priority");
  d.worker = row.value("processed_by");
  d.parent_key = row.value("parent_key");
  d.log_count = row.integer("log_count").value_or(0);
  const auto now = row.integer("now_ms").value_or(0);
  if (d.state == "active") {
    if (auto until = row.integer("locked_until_ms"); until && row.value("lock_token") && *until > now) {
      d.lock_ttl_ms = *until - now;
    } else {
      d.problems.push_back({id, "", "locked_until_ms",
                            "active with an expired lock: its worker stopped renewing it (stuck job)"});
    }
  }
  auto logs = db.query(fmt::format("SELECT row FROM (SELECT idx, row FROM {}.job_log WHERE queue = $1 AND job_id = $2 "
                                   "ORDER BY idx DESC LIMIT 100) l ORDER BY idx",
                                   S),
                       {ref.name, id});
  for (std::size_t i = 0; i < logs.rows.size(); ++i) d.logs.push_back(pg::Row(logs, i).text("row"));
  return d;
}

}  // namespace opsctl::queue::pgq
