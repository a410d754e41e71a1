// `job unstick` on PostgreSQL (docs/bullmq-postgres.md 6.10): active jobs whose lock expired by the
// database clock (or, with --older-than, that started before the cutoff), locked FOR UPDATE SKIP
// LOCKED (a worker renewing right now keeps its job), then BullMQ's move_active_to_wait(q, id, '0',
// now) (--to wait: tail of wait, `waiting` event, NOTIFY) or move_to_failed(q, id, '0', reason, ...)
// (--to failed: events failed and retries-exhausted, the flow parent handled as BullMQ does).
#include <algorithm>

#include <fmt/format.h>

#include "queue/postgres/mutate.h"

namespace opsctl::queue::pgq {
namespace {

// $2 = now, $3 = started-before cutoff or NULL.
constexpr const char* kStuck = "state = 'active' AND (lock_token IS NULL OR locked_until_ms IS NULL OR locked_until_ms < $2::bigint"
                               " OR ($3::bigint IS NOT NULL AND processed_at_ms <= $3::bigint))";

}  // namespace

MutationResult unstick(Db& db, const UnstickOptions& o) {
  MutationResult r = start_result(db, "job.unstick", o.ref);
  r.dry_run = o.dry_run == DryRun::yes;
  const std::string S = db.qualified(o.ref.prefix);
  const std::string now = std::to_string(o.now_ms);
  const pg::Param before = o.started_before_ms ? pg::Param(std::to_string(*o.started_before_ms)) : std::nullopt;
  auto cap = [&] { return o.limit ? std::max<std::int64_t>(0, *o.limit - r.matched) : INT64_MAX; };
  auto counts = db.query(fmt::format("SELECT count(*) FILTER (WHERE {1}) AS stuck, count(*) AS active FROM {0}.job"
                                     " WHERE queue = $1 AND state = 'active'",
                                     S, kStuck),
                         {o.ref.name, now, before});
  pg::Row c(counts, 0);
  const std::int64_t stuck = c.integer("stuck").value_or(0);
  r.details = {{"layout", "postgres"}, {"to", o.to == UnstickTarget::failed ? "failed" : "wait"},
               {"locked", c.integer("active").value_or(0) - stuck}};
  if (r.dry_run) {
    r.matched = std::min(stuck, cap());
    auto ids = db.query(fmt::format("SELECT id FROM {}.job WHERE queue = $1 AND {} ORDER BY locked_until_ms NULLS FIRST, id"
                                    " LIMIT $4::bigint",
                                    S, kStuck),
                        {o.ref.name, now, before, std::to_string(std::min<std::int64_t>(r.matched, mutation_sample_size))});
    each_row(ids, [&](const pg::Row& row) { r.add_sample(row.text("id")); });
    return r;
  }
  const std::string move =
      o.to == UnstickTarget::failed
          ? fmt::format("{}.move_to_failed($1, id, '0', $6, NULL, $2::bigint, false, NULL, NULL)", S)
          : fmt::format("{}.move_active_to_wait($1, id, '0', $2::bigint)", S);
  interruptible(r, [&] {
    pg::Param after;  // the walk goes by id, so a job skipped as locked is not picked again
    auto params = [&](std::int64_t size) {
      std::vector<pg::Param> p{o.ref.name, now, before, after, std::to_string(size)};
      if (o.to == UnstickTarget::failed) p.emplace_back(unstick_failed_reason);
      return p;
    };
    Pacer pacer;
    for (;;) {
      const std::int64_t size = std::min(pacer.size(), cap());
      if (size == 0) return;
      std::int64_t picked = 0;
      const auto took = in_batch(db, [&] {
        auto moved = db.query(
            fmt::format("WITH picked AS (SELECT id FROM {0}.job WHERE queue = $1 AND {1}"
                        " AND ($4::text IS NULL OR id > $4::text) ORDER BY id LIMIT $5::bigint FOR UPDATE SKIP LOCKED)"
                        " SELECT id, {2} AS n FROM (SELECT id FROM picked ORDER BY id) p",
                        S, kStuck, move),
            params(size));
        each_row(moved, [&](const pg::Row& row) {
          ++r.changed;
          r.add_sample(row.text("id"));
          after = row.text("id");
        });
        picked = static_cast<std::int64_t>(moved.rows.size());
      });
      pacer.took(picked, took);
      r.matched += picked;
      if (o.progress) o.progress(r.matched);
      if (picked < size) return;
    }
  });
  return r;
}

}  // namespace opsctl::queue::pgq
