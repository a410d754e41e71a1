// `queue clear --all` on PostgreSQL (docs/bullmq-postgres.md 6.4): BullMQ's own sequence of
// Queue.obliterate({force}): pause(q, true), then obliterate(q, 1000, force) each in its own
// transaction while it returns 1. Active jobs without --force are refused before anything changes.
#include <fmt/format.h>

#include "core/error.h"
#include "queue/postgres/mutate.h"

namespace opsctl::queue::pgq {
namespace {

constexpr std::int64_t kObliterateCall = 1000;

struct Held {
  std::int64_t jobs = 0, active = 0;
};

Held held(Db& db, const std::string& S, const QueueRef& ref) {
  auto c = db.query(fmt::format("SELECT count(*) AS jobs, count(*) FILTER (WHERE state = 'active') AS active"
                                " FROM {}.job WHERE queue = $1",
                                S),
                    {ref.name});
  pg::Row row(c, 0);
  return {row.integer("jobs").value_or(0), row.integer("active").value_or(0)};
}

}  // namespace

MutationResult plan_obliterate(Db& db, const ObliterateOptions& o, std::int64_t& active) {
  MutationResult r = start_result(db, "queue.clear-all", o.ref);
  r.dry_run = true;
  const std::string S = db.qualified(o.ref.prefix);
  const Held h = held(db, S, o.ref);
  r.matched = h.jobs;
  active = h.active;
  auto ids = db.query(fmt::format("SELECT id FROM {}.job WHERE queue = $1 ORDER BY id LIMIT $2::bigint", S),
                      {o.ref.name, std::to_string(mutation_sample_size)});
  each_row(ids, [&](const pg::Row& row) { r.add_sample(row.text("id")); });
  return r;
}

MutationResult obliterate(Db& db, const ObliterateOptions& o, const Progress& progress) {
  MutationResult r = start_result(db, "queue.clear-all", o.ref);
  const std::string S = db.qualified(o.ref.prefix);
  const Held before = held(db, S, o.ref);
  if (before.active > 0 && o.force == Force::no) throw refused_error(active_jobs_refusal(r.target, before.active));
  r.matched = before.jobs;
  interruptible(r, [&] {
    in_batch(db, [&] { db.query(fmt::format("SELECT {}.pause($1, true)", S), {o.ref.name}); });
    for (std::int64_t calls = 1;; ++calls) {
      std::int64_t cursor = 0;
      in_batch(db, [&] {
        auto c = db.query(fmt::format("SELECT {}.obliterate($1, $2::integer, $3::boolean) AS cursor", S),
                          {o.ref.name, std::to_string(kObliterateCall), o.force == Force::yes ? "true" : "false"});
        cursor = pg::Row(c, 0).integer("cursor").value_or(0);
      });
      if (cursor == -1) {
        throw critical_error(fmt::format("{}: the queue was resumed while being obliterated; stopped (run it again)", r.target));
      }
      if (cursor == -2) throw refused_error(active_jobs_refusal(r.target, held(db, S, o.ref).active));
      r.changed = cursor == 0 ? before.jobs : std::min(before.jobs, calls * kObliterateCall);
      if (progress) progress(r.changed);
      if (cursor == 0) return;
    }
  });
  return r;
}

}  // namespace opsctl::queue::pgq
