// `queue inspect` on PostgreSQL: the figures (probe.cpp), the most recent failures grouped by reason,
// the jobs of a listed state, the schedulers; judged by the same rules as on Redis.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "queue/postgres/db.h"
#include "util/text.h"

namespace opsctl::queue::pgq {
namespace {

void add_failures(Db& db, InspectResult& r, std::size_t sample) {
  if (sample == 0) return;
  // Newest finished first, then any without finished_at_ms, ties by id: two parts job_finished_idx
  // answers in order (one ORDER BY ... NULLS LAST would sort every failed job of the queue).
  auto f = db.query(fmt::format("SELECT id, failed_reason FROM ("
                                "(SELECT id, failed_reason, 0 AS part, finished_at_ms FROM {0}.job"
                                "  WHERE queue = $1 AND state = 'failed' AND finished_at_ms IS NOT NULL"
                                "  ORDER BY finished_at_ms DESC, id LIMIT $2::bigint)"
                                " UNION ALL (SELECT id, failed_reason, 1, NULL FROM {0}.job"
                                "  WHERE queue = $1 AND state = 'failed' AND finished_at_ms IS NULL ORDER BY id LIMIT $2::bigint)"
                                ") x ORDER BY part, finished_at_ms DESC, id LIMIT $2::bigint",
                                db.qualified(r.ref.prefix)),
                    {r.ref.name, std::to_string(sample)});
  std::vector<std::pair<std::string, std::optional<std::string>>> newest;
  each_row(f, [&](const pg::Row& row) { newest.emplace_back(row.text("id"), row.value("failed_reason")); });
  group_failures(r, newest);
}

void add_jobs(Db& db, InspectResult& r, const InspectOptions& o) {
  const std::string& state = *o.state;
  r.listed_state = state;
  std::string where, order;
  if (state == "waiting" || state == "paused") {
    where = "state = 'waiting' AND priority = 0";
    order = "seq";
  } else if (state == "prioritized") {
    where = "state = 'waiting' AND priority > 0";
    order = "priority, seq";
  } else if (state == "active") {
    where = "state = 'active'";
    order = "processed_at_ms, id";
  } else if (state == "completed" || state == "failed") {
    where = state == "completed" ? "state = 'completed'" : "state = 'failed'";
    order = "finished_at_ms DESC, id DESC";
  } else if (state == "delayed") {
    where = "state = 'delayed'";
    order = "process_at_ms, id";
  } else {
    where = "state = 'waiting-children'";
    order = "seq";
  }
  auto j = db.query(fmt::format("SELECT id, name, added_at_ms, attempts_made, failed_reason, finished_at_ms FROM {}.job"
                                " WHERE queue = $1 AND {} ORDER BY {} LIMIT $2::bigint OFFSET $3::bigint",
                                db.qualified(r.ref.prefix), where, order),
                    {r.ref.name, std::to_string(o.limit), std::to_string(o.offset)});
  for (std::size_t i = 0; i < j.rows.size(); ++i) {
    pg::Row row(j, i);
    JobRow jr;
    jr.id = row.text("id");
    jr.name = row.value("name");
    jr.state = state == "paused" ? "waiting" : state;
    jr.timestamp = row.integer("added_at_ms");
    jr.attempts_made = row.integer("attempts_made").value_or(0);
    jr.failed_reason = row.value("failed_reason");
    jr.finished_on = row.integer("finished_at_ms");
    r.jobs.push_back(std::move(jr));
  }
}

}  // namespace

InspectResult inspect_queue(Db& db, const InspectOptions& o) {
  auto figures = probe_queue(db, o.ref, probe_options(o));
  if (!figures.shape.exists) db.throw_not_found(o.ref);
  InspectResult r = start_inspect(o, std::move(figures));
  add_failures(db, r, o.failure_sample);
  if (o.state) add_jobs(db, r, o);
  std::optional<SchedulersResult> schedulers;
  if (r.figures.schedulers > 0) {
    schedulers = read_scheduler_rows(db, o.ref, r.figures.shape, r.figures.schedulers, r.figures.schedulers_overdue,
                                     {r.figures.now_ms, o.thresholds.scheduler_grace_ms, 1000});
  }
  finish_inspect(r, std::move(schedulers));
  return r;
}

}  // namespace opsctl::queue::pgq
