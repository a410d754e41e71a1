// `queue schedulers` on PostgreSQL: the scheduler table of the queue, each row joined with the job of
// its next run (docs/bullmq-postgres.md 6.1), judged as on Redis (queue/scheduler_judge.h).
#include <fmt/format.h>

#include "queue/postgres/db.h"
#include "queue/scheduler_judge.h"

namespace opsctl::queue::pgq {

SchedulersResult read_schedulers(Db& db, const QueueRef& ref, const SchedulerOptions& o) {
  const std::string S = db.qualified(ref.prefix);
  QueueShape sh = db.shape(ref);
  if (!sh.exists) db.throw_not_found(ref);
  auto head = db.query(fmt::format("SELECT count(*) AS total, count(*) FILTER (WHERE next_run_ms < $2::bigint) AS late "
                                   "FROM {}.scheduler WHERE queue = $1",
                                   S),
                       {ref.name, std::to_string(o.now_ms - o.grace_ms)});
  pg::Row h(head, 0);
  return read_scheduler_rows(db, ref, sh, h.integer("total").value_or(0), h.integer("late").value_or(0), o);
}

SchedulersResult read_scheduler_rows(Db& db, const QueueRef& ref, const QueueShape& sh, std::int64_t total,
                                     std::int64_t late, const SchedulerOptions& o) {
  const std::string S = db.qualified(ref.prefix);
  SchedulersResult r;
  r.problems = sh.problems;
  r.queue_paused = sh.paused;
  r.total = total;
  r.late = late;
  auto rows = db.query(fmt::format(
      "SELECT s.scheduler_id, s.name, s.pattern, s.tz, s.every_ms, s.iteration_count, s.limit_count, s.start_date_ms,"
      " s.end_date_ms, s.offset_ms, s.next_run_ms, j.id AS next_job_id, j.state AS state, j.priority,"
      " j.processed_at_ms FROM {0}.scheduler s LEFT JOIN {0}.job j ON j.queue = s.queue AND"
      " j.id = 'repeat:' || s.scheduler_id || ':' || s.next_run_ms WHERE s.queue = $1"
      " ORDER BY s.next_run_ms NULLS LAST, s.scheduler_id LIMIT $2::bigint",
      S),
      {ref.name, std::to_string(o.limit)});
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    pg::Row row(rows, i);
    SchedulerInfo s;
    s.id = row.text("scheduler_id");
    s.name = row.value("name");
    s.pattern = row.value("pattern");
    s.tz = row.value("tz");
    s.every_ms = row.integer("every_ms");
    s.iterations = row.integer("iteration_count");
    s.limit = row.integer("limit_count");
    s.start_date_ms = row.integer("start_date_ms");
    s.end_date_ms = row.integer("end_date_ms");
    s.offset_ms = row.integer("offset_ms");
    s.next_run_ms = row.integer("next_run_ms");
    if (s.next_run_ms) s.next_job_id = scheduler_job_id(s.id, *s.next_run_ms);
    if (row.value("next_job_id")) {
      s.next_job_state = public_state(row);
      s.next_job_processed_on_ms = row.integer("processed_at_ms");
    }
    judge_scheduler(s, o.now_ms, o.grace_ms, r.queue_paused);
    r.schedulers.push_back(std::move(s));
  }
  summarise(r, o.grace_ms);
  return r;
}

}  // namespace opsctl::queue::pgq
