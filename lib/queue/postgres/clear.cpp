// `queue clear --state` on PostgreSQL (docs/bullmq-postgres.md 6.3). With only --older-than and
// --limit on completed, failed, waiting, delayed or prioritized: BullMQ's own clean(), exactly as
// Queue.clean(grace, limit, state), in calls paced by the database (Pacer). With --since, and always for
// active (clean would take jobs a live worker holds): the jobs picked here, locked, and each
// removed with BullMQ's remove(q, id, false), which re-checks the lock on the database clock.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "queue/postgres/mutate.h"

namespace opsctl::queue::pgq {
namespace {

// clean()'s selection for a state (its own WHERE, docs 3.5), over $2 = the cutoff.
std::string clean_where(const std::string& state) {
  if (state == "completed" || state == "failed") return fmt::format("state = '{}' AND finished_at_ms <= $2::bigint", state);
  if (state == "delayed") return "state = 'delayed' AND added_at_ms <= $2::bigint AND scheduler_id IS NULL";
  if (state == "prioritized") {
    return "state = 'waiting' AND priority > 0 AND added_at_ms <= $2::bigint AND scheduler_id IS NULL";
  }
  return "state = 'waiting' AND priority = 0 AND added_at_ms <= $2::bigint AND scheduler_id IS NULL";
}

// The picked path's selection and walk key: $2 = cutoff, $3 = lower bound (--since), $4 = now.
struct Picked {
  std::string where, key;
};
Picked picked_where(const std::string& state) {
  if (state == "active") {
    return {"state = 'active' AND (lock_token IS NULL OR locked_until_ms IS NULL OR locked_until_ms < $4::bigint)"
            " AND COALESCE(processed_at_ms, 0) <= $2::bigint AND $3::bigint <= $2::bigint",
            "COALESCE(processed_at_ms, 0)"};
  }
  return {fmt::format("state = '{}' AND finished_at_ms <= LEAST($2::bigint, $4::bigint) AND finished_at_ms >= $3::bigint"
                      " AND scheduler_id IS NULL",
                      state),
          "finished_at_ms"};
}

bool uses_clean(const ClearOptions& o) { return o.state != "active" && o.min_ms == 0; }

std::int64_t left(const ClearOptions& o, std::int64_t done) {
  return o.limit > 0 ? std::max<std::int64_t>(0, o.limit - done) : INT64_MAX;
}

MutationResult preview(Db& db, const ClearOptions& o, std::int64_t now) {
  MutationResult r = start_result(db, "queue.clear", o.ref);
  r.dry_run = true;
  const std::string S = db.qualified(o.ref.prefix);
  std::string where, order;
  if (uses_clean(o)) {
    where = clean_where(o.state);
    order = "seq";
  } else {
    auto p = picked_where(o.state);
    where = p.where;
    order = p.key + ", id";
  }
  // clean's selection reads $2 only; the picked one $2..$4. The limit and sample size follow.
  std::vector<pg::Param> params{o.ref.name, std::to_string(o.cutoff_ms)};
  if (!uses_clean(o)) {
    params.emplace_back(std::to_string(o.min_ms));
    params.emplace_back(std::to_string(now));
  }
  // The count, then the first jobs in the order they go (no sort of every match for a sample).
  const std::size_t n = params.size();
  auto count_params = params;
  count_params.push_back(o.limit > 0 ? pg::Param(std::to_string(o.limit)) : std::nullopt);
  auto counted = db.query(fmt::format("SELECT count(*) AS n FROM (SELECT 1 FROM {0}.job WHERE queue = $1 AND {1} LIMIT ${2}::bigint) s",
                                      S, where, n + 1),
                          count_params);
  r.matched = pg::Row(counted, 0).integer("n").value_or(0);
  params.emplace_back(std::to_string(std::min<std::int64_t>(r.matched, mutation_sample_size)));
  auto rows = db.query(fmt::format("SELECT id FROM {0}.job WHERE queue = $1 AND {1} ORDER BY {2} LIMIT ${3}::bigint", S, where, order, n + 1),
                       params);
  each_row(rows, [&](const pg::Row& row) { r.add_sample(row.text("id")); });
  return r;
}

void clean(Db& db, const ClearOptions& o, MutationResult& r, const Progress& progress) {
  const std::string S = db.qualified(o.ref.prefix);
  const std::string type = o.state == "waiting" ? "wait" : o.state;
  Pacer pacer;
  for (;;) {
    const std::int64_t call = std::min(pacer.size(), left(o, r.changed));
    if (call == 0) return;
    std::int64_t got = 0;
    const auto took = in_batch(db, [&] {
      auto ids = db.query(fmt::format("SELECT id FROM {}.clean($1, $2, $3::bigint, $4::integer) AS id", S),
                          {o.ref.name, type, std::to_string(o.cutoff_ms), std::to_string(call)});
      each_row(ids, [&](const pg::Row& row) { r.add_sample(row.text("id")); });
      got = static_cast<std::int64_t>(ids.rows.size());
    });
    pacer.took(got, took);
    r.matched += got;
    r.changed += got;
    if (progress) progress(r.changed);
    if (got < call) return;
  }
}

void remove_picked(Db& db, const ClearOptions& o, std::int64_t now, MutationResult& r, const Progress& progress) {
  const std::string S = db.qualified(o.ref.prefix);
  const Picked p = picked_where(o.state);
  const std::vector<pg::Param> bounds{std::to_string(o.cutoff_ms), std::to_string(o.min_ms), std::to_string(now)};
  pg::Param after_key, after_id;
  Pacer pacer;
  for (;;) {
    const std::int64_t size = std::min(pacer.size(), left(o, r.matched));
    if (size == 0) return;
    // Read without locks; the batch below locks what still matches.
    auto page = db.query(fmt::format("SELECT id, {2} AS k FROM {0}.job WHERE queue = $1 AND {1}"
                                     " AND ($5::bigint IS NULL OR ({2}, id) > ($5::bigint, $6::text))"
                                     " ORDER BY {2}, id LIMIT $7::bigint",
                                     S, p.where, p.key),
                         {o.ref.name, bounds[0], bounds[1], bounds[2], after_key, after_id, std::to_string(size)});
    std::vector<std::string> ids;
    each_row(page, [&](const pg::Row& row) { ids.push_back(row.text("id")); });
    if (ids.empty()) return;
    const auto took = in_batch(db, [&] {
      auto removed = db.query(
          fmt::format("WITH locked AS (SELECT j.id, t.ord FROM {0}.job j JOIN jsonb_array_elements_text($5::jsonb)"
                      " WITH ORDINALITY AS t(id, ord) ON j.id = t.id WHERE j.queue = $1 AND {1}"
                      " ORDER BY t.ord FOR UPDATE OF j SKIP LOCKED)"
                      " SELECT id, {0}.remove($1, id, false) AS n FROM (SELECT id FROM locked ORDER BY ord) l",
                      S, p.where),
          {o.ref.name, bounds[0], bounds[1], bounds[2], json_ids(ids)});
      each_row(removed, [&](const pg::Row& row) {
        if (row.integer("n").value_or(0) < 1) return;  // 0: a worker renewed its lock meanwhile
        ++r.changed;
        r.add_sample(row.text("id"));
      });
    });
    pacer.took(static_cast<std::int64_t>(ids.size()), took);
    r.matched += static_cast<std::int64_t>(ids.size());
    if (progress) progress(r.changed);
    if (static_cast<std::int64_t>(page.rows.size()) < size) return;
    pg::Row last(page, page.rows.size() - 1);
    after_key = last.text("k");
    after_id = last.text("id");
  }
}

}  // namespace

MutationResult clear_jobs(Db& db, const ClearOptions& o, DryRun mode, const Progress& progress) {
  check_clear_options(o);  // o.state picks among fixed SQL fragments only after this
  const std::int64_t now = db.now_ms();
  if (mode == DryRun::yes) return preview(db, o, now);
  MutationResult r = start_result(db, "queue.clear", o.ref);
  interruptible(r, [&] {
    if (uses_clean(o)) clean(db, o, r, progress);
    else remove_picked(db, o, now, r, progress);
  });
  return r;
}

}  // namespace opsctl::queue::pgq
