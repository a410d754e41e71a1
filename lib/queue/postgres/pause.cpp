// `queue pause|resume` and `queue promote` on PostgreSQL (docs/bullmq-postgres.md 6.5, 6.6): BullMQ's
// pause(q, bool) (a meta flag: no job row moves; resume NOTIFYs) and promote_jobs(q, n), the
// earliest due first, in calls of at most 1000 (priority and delay_ms kept, NOTIFY, no events).
#include <algorithm>

#include <fmt/format.h>

#include "queue/postgres/mutate.h"

namespace opsctl::queue::pgq {

MutationResult pause_queue(Db& db, const PauseOptions& o, bool pause) {
  QueueShape shape;
  MutationResult r = start_result(db, pause ? "queue.pause" : "queue.resume", o.ref, &shape);
  r.dry_run = o.dry_run == DryRun::yes;
  const std::string S = db.qualified(o.ref.prefix);
  auto before = db.query(fmt::format("SELECT count(*) AS jobs FROM {}.job WHERE queue = $1 AND state = 'waiting'", S), {o.ref.name});
  pg::Row row(before, 0);
  const bool paused = shape.paused;  // isPaused(): the meta field's presence
  r.details = {{"layout", "postgres"},
               {"layout_reason", "BullMQ's PostgreSQL backend: a meta flag; no job row moves"},
               {"paused_before", paused},
               {"jobs", row.integer("jobs").value_or(0)},
               {"jobs_moved", 0},
               {"calls", 0}};
  r.matched = paused != pause ? 1 : 0;
  if (r.matched == 0 || r.dry_run) return r;
  in_batch(db, [&] { db.query(fmt::format("SELECT {}.pause($1, $2::boolean)", S), {o.ref.name, pause ? "true" : "false"}); });
  r.changed = 1;
  r.details["calls"] = 1;
  return r;
}

MutationResult promote_delayed(Db& db, const PromoteOptions& o) {
  MutationResult r = start_result(db, "queue.promote", o.ref);
  r.dry_run = o.dry_run == DryRun::yes;
  const std::string S = db.qualified(o.ref.prefix);
  const std::string first = fmt::format("SELECT id, count(*) OVER () AS n FROM (SELECT id, process_at_ms FROM {}.job"
                                        " WHERE queue = $1 AND state = 'delayed' ORDER BY process_at_ms, id"
                                        " LIMIT $2::bigint) s ORDER BY process_at_ms, id LIMIT $3::bigint",
                                        S);
  auto left = [&] { return o.limit ? std::max<std::int64_t>(0, *o.limit - r.changed) : INT64_MAX; };
  auto sample = [&](std::int64_t cap) {
    auto rows = db.query(first, {o.ref.name, o.limit ? pg::Param(std::to_string(cap)) : std::nullopt,
                                 std::to_string(mutation_sample_size)});
    std::int64_t n = 0;
    each_row(rows, [&](const pg::Row& row) {
      n = row.integer("n").value_or(0);
      r.add_sample(row.text("id"));
    });
    return n;
  };
  if (r.dry_run) {
    r.matched = sample(left());
    return r;
  }
  interruptible(r, [&] {
    const std::int64_t call_size = std::clamp<std::int64_t>(static_cast<std::int64_t>(o.page), 1, 1000);
    for (;;) {
      const std::int64_t call = std::min(call_size, left());
      if (call == 0) return;
      std::int64_t n = 0;
      in_batch(db, [&] {
        if (r.ids.empty()) sample(call);  // the jobs this call promotes come first: the same order
        auto done = db.query(fmt::format("SELECT {}.promote_jobs($1, $2::integer) AS n", S), {o.ref.name, std::to_string(call)});
        n = pg::Row(done, 0).integer("n").value_or(0);
      });
      r.matched += n;
      r.changed += n;
      if (o.progress) o.progress(r.changed);
      if (n < call) return;
    }
  });
  return r;
}

}  // namespace opsctl::queue::pgq
