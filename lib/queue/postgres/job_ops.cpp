// `job retry|remove|promote QUEUE ID...` on PostgreSQL (docs/bullmq-postgres.md 6.7-6.9): each id
// looked at (and, for a real run, locked FOR UPDATE) in its own transaction, then BullMQ's
// reprocess_job, remove(q, id, true) or promote(q, id); one bad id never stops the others.
#include <functional>
#include <set>

#include <fmt/format.h>

#include "queue/postgres/mutate.h"

namespace opsctl::queue::pgq {
namespace {

// What the verbs read of a job before deciding (nullopt: no such job).
struct Seen {
  std::string state;  // as getJobState names it (prioritized for a waiting job with a priority)
  bool lifo = false, scheduler = false, locked = false;
};

// A verb's decision and action for one job it has seen: the outcome, or "" to go on and call act,
// which returns whether it changed the job and may set the outcome's reason.
struct Verb {
  const char* action;
  const char* would;   // "would retry"
  const char* done;    // "retried"
  std::function<IdResult(const std::string& id, const Seen& s)> check;  // result "" = acceptable
  std::function<bool(const std::string& S, const std::string& id, const Seen& s, IdResult& out)> act;
};

std::optional<Seen> look(Db& db, const std::string& S, const QueueRef& ref, const std::string& id, DryRun mode) {
  auto r = db.query(fmt::format("SELECT state, priority, COALESCE((opts->>'lifo')::boolean, false) AS lifo,"
                                " scheduler_id IS NOT NULL AS scheduler, lock_token IS NOT NULL AND locked_until_ms >"
                                " (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS locked"
                                " FROM {}.job WHERE queue = $1 AND id = $2{}",
                                S, mode == DryRun::no ? " FOR UPDATE" : ""),
                    {ref.name, id});
  if (r.rows.empty()) return std::nullopt;
  pg::Row row(r, 0);
  return Seen{public_state(row), row.boolean("lifo"), row.boolean("scheduler"), row.boolean("locked")};
}

MutationResult run(Db& db, const Verb& v, const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode) {
  MutationResult r = start_result(db, v.action, ref);
  r.dry_run = mode == DryRun::yes;
  const std::string S = db.qualified(ref.prefix);
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    auto one = [&] {
      auto s = look(db, S, ref, id, mode);
      if (!s) {
        r.results.push_back({id, "not found", fmt::format("no job {} in {}", id, ref.display())});
        return;
      }
      ++r.matched;
      IdResult out = v.check(id, *s);
      if (!out.result.empty()) {
        r.results.push_back(std::move(out));
        return;
      }
      r.add_sample(id);
      out = {id, v.would, ""};
      if (mode == DryRun::no) {
        if (v.act(S, id, *s, out)) {
          out.result = v.done;
          ++r.changed;
        }
      }
      r.results.push_back(std::move(out));
    };
    if (mode == DryRun::yes) one();
    else in_batch(db, one);
  }
  return r;
}

}  // namespace

MutationResult job_retry(Db& db, const JobRetryOptions& o, DryRun mode) {
  const char* reset = o.reset == ResetAttempts::yes ? "true" : "false";
  Verb v{"job.retry", "would retry", "retried",
         [](const std::string& id, const Seen& s) {
           if (s.state == "failed" || s.state == "completed") return IdResult{};
           return IdResult{id, "refused", fmt::format("not in failed/completed (state {})", s.state)};
         },
         [&](const std::string& S, const std::string& id, const Seen& s, IdResult& out) {
           auto c = db.query(fmt::format("SELECT {}.reprocess_job($1, $2, $3, $4::boolean, $5::boolean, $5::boolean) AS code", S),
                             {o.ref.name, id, s.state, s.lifo ? "true" : "false", reset});
           if (pg::Row(c, 0).integer("code").value_or(0) == 1) return true;
           out = {id, "refused", "its state changed meanwhile"};
           return false;
         }};
  return run(db, v, o.ref, o.ids, mode);
}

MutationResult job_remove(Db& db, const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode) {
  Verb v{"job.remove", "would remove", "removed",
         [](const std::string& id, const Seen& s) {
           if (s.scheduler) {
             return IdResult{id, "refused", "belongs to a Job Scheduler; remove the scheduler instead"};
           }
           if (s.locked) {
             return IdResult{id, "refused", "locked by a worker (it is being processed); wait for it to finish or stop the worker"};
           }
           return IdResult{};
         },
         [&](const std::string& S, const std::string& id, const Seen&, IdResult& out) {
           auto c = db.query(fmt::format("SELECT {}.remove($1, $2, true) AS n", S), {ref.name, id});
           if (pg::Row(c, 0).integer("n").value_or(0) > 0) return true;
           out = {id, "refused", "it or one of its children is locked by a worker"};
           return false;
         }};
  return run(db, v, ref, ids, mode);
}

MutationResult job_promote(Db& db, const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode) {
  Verb v{"job.promote", "would promote", "promoted",
         [](const std::string& id, const Seen& s) {
           if (s.state == "delayed") return IdResult{};
           return IdResult{id, "refused", fmt::format("not delayed: it is {}", s.state)};
         },
         [&](const std::string& S, const std::string& id, const Seen&, IdResult& out) {
           auto c = db.query(fmt::format("SELECT {}.promote($1, $2) AS code", S), {ref.name, id});
           if (pg::Row(c, 0).integer("code").value_or(-1) == 0) return true;
           out = {id, "refused", "its state changed meanwhile"};
           return false;
         }};
  return run(db, v, ref, ids, mode);
}

}  // namespace opsctl::queue::pgq
