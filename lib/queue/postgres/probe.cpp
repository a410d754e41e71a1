// The figures of a queue on PostgreSQL (docs/bullmq-postgres.md 5.2, 6.1): one aggregate over the
// queue's rows for the counts and windows, the worker sessions, the oldest ready job, processing
// times of the newest completed, the active jobs' locks, limiter and schedulers.
#include <algorithm>

#include <fmt/format.h>

#include "queue/postgres/db.h"
#include "util/text.h"

namespace opsctl::queue::pgq {
namespace {

// When a job became ready: added, or due after its delay (one it did not wait out: added).
std::int64_t ready_time(std::int64_t added, std::int64_t delay, std::int64_t now) {
  std::int64_t since = added + std::clamp<std::int64_t>(delay, 0, kLatestPlausibleMs);
  return since > now ? added : since;
}

}  // namespace

QueueFigures probe_queue(Db& db, const QueueRef& ref, const ProbeOptions& o) {
  const std::string S = db.qualified(ref.prefix);
  QueueFigures q;
  q.ref = ref;
  q.now_ms = db.now_ms();
  q.server_clock = true;
  q.local_now_ms = o.local_now_ms;
  q.window_ms = o.window_ms;
  q.shape = db.shape(ref);
  q.problems = q.shape.problems;
  if (!q.shape.exists) return q;
  const std::string now = std::to_string(q.now_ms), since = std::to_string(q.now_ms - q.window_ms);

  // One statement (one snapshot), each figure a scalar subquery that BullMQ's partial indexes answer
  // alone (index-only: job_ready_idx, job_active_idx, job_delayed_idx, job_finished_idx,
  // job_waiting_children_idx) instead of one pass over every row of the queue. held is the sum of
  // the states; waiting is priority 0 (a negative priority counts in held only, as it did).
  auto c = db.query(fmt::format(
      "SELECT (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'active') AS active,"
      " (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'completed') AS completed,"
      " (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'delayed') AS delayed,"
      " (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'failed') AS failed,"
      " (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'waiting' AND priority > 0) AS prioritized,"
      " (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'waiting' AND priority < 0) AS negative,"
      " (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'waiting') AS waiting_all,"
      " (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'waiting-children') AS \"waiting-children\","
      " d.due, d.oldest_due,"
      " (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'completed' AND finished_at_ms >= $3::bigint) AS completed_window,"
      " (SELECT count(*) FROM {0}.job WHERE queue = $1 AND state = 'failed' AND finished_at_ms >= $3::bigint) AS failed_window,"
      " (SELECT min(finished_at_ms) FROM {0}.job WHERE queue = $1 AND state = 'completed') AS completed_oldest,"
      " (SELECT max(finished_at_ms) FROM {0}.job WHERE queue = $1 AND state = 'completed') AS completed_newest,"
      " (SELECT min(finished_at_ms) FROM {0}.job WHERE queue = $1 AND state = 'failed') AS failed_oldest,"
      " (SELECT max(finished_at_ms) FROM {0}.job WHERE queue = $1 AND state = 'failed') AS failed_newest,"
      " (SELECT COALESCE(s.last_value, 0) FROM pg_sequences s"
      "   WHERE s.schemaname = $4 AND s.sequencename = {0}.job_id_seq_name($1)) AS ever"
      " FROM (SELECT count(*) AS due, min(process_at_ms) AS oldest_due FROM {0}.job"
      "   WHERE queue = $1 AND state = 'delayed' AND process_at_ms <= $2::bigint) d",
      S),
      {ref.name, now, since, ref.prefix});
  pg::Row cr(c, 0);
  const auto count = [&](const char* column) { return cr.integer(column).value_or(0); };
  const std::int64_t waiting = count("waiting_all") - count("prioritized") - count("negative");
  std::int64_t held = count("waiting_all");
  for (const auto& state : bullmq_states()) {
    const std::int64_t n = state == "waiting" ? waiting : count(state.c_str());
    q.counts.emplace_back(state, n);
    if (state != "waiting" && state != "prioritized") held += n;
  }
  q.due_delayed = cr.integer("due").value_or(0);
  q.oldest_due_ms = plausible(cr.integer("oldest_due"));
  auto ever = cr.integer("ever");
  // Custom ids do not advance the counter: then held can exceed it, as on Redis.
  q.jobs_removed = !ever || held < *ever;
  for (auto [name, f] : {std::pair{"completed", &q.completed}, {"failed", &q.failed}}) {
    f->retained = count_of(q.counts, name);
    f->in_window = cr.integer(std::string(name) + "_window").value_or(0);
    f->oldest_ms = plausible(cr.integer(std::string(name) + "_oldest"));
    f->newest_ms = plausible(cr.integer(std::string(name) + "_newest"));
    f->exact = !q.jobs_removed || (f->oldest_ms && *f->oldest_ms < q.now_ms - q.window_ms);
    f->source = f->exact ? "set" : "lower-bound";
  }

  // Workers: the sessions BullMQ's getWorkers() counts (application_name, docs section 4.2).
  auto w = db.query(
      "SELECT application_name, host(client_addr) AS addr, client_port,"
      " (extract(epoch FROM clock_timestamp() - COALESCE(state_change, backend_start)))::bigint AS idle_s"
      " FROM pg_stat_activity WHERE datname = current_database()"
      " AND (application_name = $1 OR starts_with(application_name, $1 || ':w:')) ORDER BY pid",
      {ref.name});
  q.workers.emplace();
  for (std::size_t i = 0; i < w.rows.size(); ++i) {
    pg::Row row(w, i);
    WorkerInfo info;
    info.rawname = row.text("application_name");
    if (row.value("addr")) info.addr = row.text("addr") + ":" + row.text("client_port");
    else info.addr = "local";
    info.idle_s = row.integer("idle_s");
    q.workers->push_back(std::move(info));
  }

  // The oldest job ready to run: the next waiting and the next prioritized one.
  auto ow = db.query(fmt::format(
      "(SELECT id, added_at_ms, delay_ms FROM {0}.job WHERE queue = $1 AND state = 'waiting' AND priority = 0"
      " ORDER BY seq LIMIT 1) UNION ALL (SELECT id, added_at_ms, delay_ms FROM {0}.job WHERE queue = $1"
      " AND state = 'waiting' AND priority > 0 ORDER BY priority, seq LIMIT 1)",
      S),
      {ref.name});
  for (std::size_t i = 0; i < ow.rows.size(); ++i) {
    pg::Row row(ow, i);
    auto ts = plausible(row.integer("added_at_ms"));
    if (!ts) continue;
    auto since_ready = ready_time(*ts, row.integer("delay_ms").value_or(0), q.now_ms);
    if (!q.oldest_waiting_since || since_ready < *q.oldest_waiting_since) {
      q.oldest_waiting_id = row.text("id");
      q.oldest_waiting_timestamp = ts;
      q.oldest_waiting_since = since_ready;
    }
  }
  if (!q.oldest_waiting_id && !ow.rows.empty()) q.oldest_waiting_id = pg::Row(ow, 0).text("id");

  // Processing and wait times of the newest completed jobs in the window.
  if (o.processing_sample > 0) {
    auto p = db.query(fmt::format("SELECT processed_at_ms, finished_at_ms, added_at_ms, delay_ms, attempts_started"
                                  " FROM {}.job WHERE queue = $1 AND state = 'completed' AND finished_at_ms >= $2::bigint"
                                  " ORDER BY finished_at_ms DESC LIMIT $3::bigint",
                                  S),
                      {ref.name, since, std::to_string(o.processing_sample)});
    std::vector<std::int64_t> processing, wait;
    for (std::size_t i = 0; i < p.rows.size(); ++i) {
      pg::Row row(p, i);
      auto processed = plausible(row.integer("processed_at_ms")), finished = plausible(row.integer("finished_at_ms"));
      if (!processed || !finished) continue;
      processing.push_back(std::max<std::int64_t>(*finished - *processed, 0));
      if (row.integer("attempts_started").value_or(1) > 1) continue;
      if (auto ts = plausible(row.integer("added_at_ms"))) {
        auto ready = ready_time(*ts, row.integer("delay_ms").value_or(0), q.now_ms);
        wait.push_back(std::max<std::int64_t>(*processed - ready, 0));
      }
    }
    q.processing = quantiles(std::move(processing));
    q.wait = quantiles(std::move(wait));
  }

  // Active jobs and their locks: stuck = active whose lock expiry passed (database clock).
  if (o.active_sample > 0) {
    auto a = db.query(fmt::format("SELECT id, name, processed_at_ms, locked_until_ms, lock_token IS NOT NULL AS locked"
                                  " FROM {}.job WHERE queue = $1 AND state = 'active'"
                                  " ORDER BY locked_until_ms NULLS FIRST, id LIMIT $2::bigint",
                                  S),
                      {ref.name, std::to_string(o.active_sample)});
    for (std::size_t i = 0; i < a.rows.size(); ++i) {
      pg::Row row(a, i);
      ActiveJob j;
      j.id = row.text("id");
      j.name = row.value("name");
      j.processed_on = plausible(row.integer("processed_at_ms"));
      auto until = row.integer("locked_until_ms");
      if (row.boolean("locked") && until && *until > q.now_ms) j.lock_ttl_ms = *until - q.now_ms;
      q.active.push_back(std::move(j));
    }
    q.active_checked = static_cast<std::int64_t>(q.active.size());
  }

  // Rate limit, schedulers and the newest finish in the event table.
  auto m = db.query(fmt::format(
      "SELECT (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'max') AS max,"
      " (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'duration') AS duration,"
      " (SELECT points FROM {0}.rate_limit WHERE queue = $1 AND expire_at_ms > $2::bigint) AS points,"
      " (SELECT expire_at_ms FROM {0}.rate_limit WHERE queue = $1 AND expire_at_ms > $2::bigint) AS expire,"
      " (SELECT count(*) FROM {0}.scheduler WHERE queue = $1) AS schedulers,"
      " (SELECT count(*) FROM {0}.scheduler WHERE queue = $1 AND next_run_ms < $3::bigint) AS overdue,"
      " (SELECT max(created_at_ms) FROM (SELECT event, created_at_ms FROM {0}.event WHERE queue = $1"
      "   ORDER BY id DESC LIMIT 200) e WHERE e.event IN ('completed', 'failed')) AS last_finish",
      S),
      {ref.name, now, std::to_string(q.now_ms - o.scheduler_grace_ms)});
  pg::Row mr(m, 0);
  if (auto v = mr.value("max")) q.rate_max = util::parse_int(*v);
  if (auto v = mr.value("duration")) q.rate_duration_ms = util::parse_int(*v);
  if (auto expire = mr.integer("expire")) {
    q.limiter_ttl_ms = *expire - q.now_ms;
    q.limiter_count = mr.integer("points");
    q.rate_limited = q.limiter_count &&
                     ((q.rate_max && *q.limiter_count >= *q.rate_max) || *q.limiter_count >= kManualRateLimitCount);
  }
  q.schedulers = mr.integer("schedulers").value_or(0);
  q.schedulers_overdue = mr.integer("overdue").value_or(0);
  q.last_event_finish_ms = plausible(mr.integer("last_finish"));
  return q;
}

}  // namespace opsctl::queue::pgq
