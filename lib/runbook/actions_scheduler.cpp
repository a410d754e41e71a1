// queue.schedulers and scheduler.run_now: a BullMQ Job Scheduler's state as `queue schedulers` judges
// it (exists, next run not overdue, chain not broken), and running an overdue one now by promoting
// the delayed job that carries its next run (as Job.promote(): the worker then runs it and BullMQ
// schedules the following run from the scheduler's own template).
#include <fmt/format.h>

#include "queue/store.h"
#include "runbook/actions.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

struct Found {
  queue::QueueRef ref;
  queue::SchedulersResult all;
  const queue::SchedulerInfo* one = nullptr;
};

Found read(const Args& a, ActionContext& ctx) {
  Found f;
  f.ref = {ctx.prefix(), a.str("queue")};
  queue::SchedulerOptions o;
  auto& store = ctx.queues();
  o.now_ms = store.now_ms();  // BullMQ's scores come from the clock of its own hosts
  o.grace_ms = a.duration_or("grace", std::chrono::minutes(1)).count();
  f.all = store.schedulers(f.ref, o);
  std::string id = a.str_or("scheduler", "");
  for (const auto& s : f.all.schedulers) {
    if (s.id == id) f.one = &s;
  }
  return f;
}

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

ActionResult schedulers(const Args& a, ActionContext& ctx, DryRun) {
  Found f = read(a, ctx);
  ActionResult out;
  out.target = fmt::format("{}:{}", f.ref.prefix, f.ref.name);
  out.findings = {{"total", f.all.total}, {"overdue", f.all.overdue}, {"broken", f.all.broken},
                  {"found", f.one != nullptr}, {"next_run_ms", nullptr}, {"next_job_id", nullptr},
                  {"next_job_state", nullptr}, {"is_overdue", false}, {"is_broken", false}, {"overdue_ms", 0},
                  {"definition", nullptr}, {"finding", ""}};
  out.status = f.all.status;
  out.summary = f.all.summary;
  if (!a.has("scheduler")) return out;
  std::string id = a.str("scheduler");
  if (!f.one) {
    out.status = Status::critical;
    out.summary = fmt::format("no Job Scheduler {} on {}", id, out.target);
    return out;
  }
  const auto& s = *f.one;
  out.findings.update({{"next_run_ms", opt(s.next_run_ms)}, {"next_job_id", opt(s.next_job_id)},
                       {"next_job_state", opt(s.next_job_state)}, {"is_overdue", s.overdue},
                       {"is_broken", s.broken}, {"overdue_ms", s.overdue_ms}, {"finding", s.finding},
                       {"definition", {{"name", opt(s.name)}, {"pattern", opt(s.pattern)}, {"every_ms", opt(s.every_ms)},
                                       {"tz", opt(s.tz)}}}});
  out.status = s.broken ? Status::critical : s.overdue ? Status::warning : Status::ok;
  out.summary = s.finding.empty() ? fmt::format("scheduler {}: next run {}, job {} {}", id,
                                                s.next_run_ms ? util::iso8601_utc(*s.next_run_ms) : "-",
                                                s.next_job_id.value_or("-"), s.next_job_state.value_or("missing"))
                                  : s.finding;
  return out;
}

ActionResult run_now(const Args& a, ActionContext& ctx, DryRun dry) {
  Found f = read(a, ctx);
  std::string id = a.str("scheduler");
  ActionResult out;
  out.target = fmt::format("{}:{} scheduler {}", f.ref.prefix, f.ref.name, id);
  out.findings = {{"job_id", nullptr}, {"promoted", false}};
  if (!f.one) {
    out.failed = true;
    out.error = fmt::format("no Job Scheduler {} on {}:{}", id, f.ref.prefix, f.ref.name);
    return out;
  }
  const auto& s = *f.one;
  if (s.broken || !s.next_job_id) {
    out.failed = true;
    out.error = fmt::format("scheduler {}: no job carries its next run (the chain is broken); re-create it from its "
                            "definition with upsertJobScheduler (pattern {}, every {} ms)",
                            id, s.pattern.value_or("-"), s.every_ms ? std::to_string(*s.every_ms) : "-");
    return out;
  }
  out.findings["job_id"] = *s.next_job_id;
  if (s.next_job_state.value_or("") != "delayed") {
    out.summary = fmt::format("the next run of {} ({}) is {} already: nothing to promote", id, *s.next_job_id,
                              s.next_job_state.value_or("missing"));
    return out;
  }
  out.planned = 1;
  queue::MutationResult r = ctx.queues().job_promote(f.ref, {*s.next_job_id}, dry);
  out.changed = r.changed;
  out.findings["promoted"] = r.changed > 0;
  out.summary = fmt::format("run scheduler {} now: promote {}", id, *s.next_job_id);
  if (dry == DryRun::no && r.changed == 0) {
    out.failed = true;
    out.error = r.results.empty() ? "not promoted" : fmt::format("{}: {}", r.results[0].result, r.results[0].reason);
  }
  return out;
}

}  // namespace

void add_scheduler(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"queue.schedulers", "Job Schedulers of a queue (as queue schedulers), or one of them", Effect::reads,
           {{"queue", V::string, true, "queue name"},
            {"scheduler", V::string, false, "a scheduler id: its own findings"},
            {"grace", V::duration, false, "a next run later than this is overdue (default 1m)"}},
           {{"total", V::integer, "schedulers of the queue"},
            {"overdue", V::integer, "overdue ones"},
            {"broken", V::integer, "broken chains"},
            {"found", V::boolean, "the scheduler exists (true without scheduler)"},
            {"next_run_ms", V::integer, "its next run"},
            {"next_job_id", V::string, "the job carrying it"},
            {"next_job_state", V::string, "that job's state (null: missing)"},
            {"is_overdue", V::boolean, "its next run is overdue"},
            {"is_broken", V::boolean, "no job carries its next run"},
            {"overdue_ms", V::integer, "how late"},
            {"definition", V::object, "name, pattern, every_ms, tz"},
            {"finding", V::string, "one sentence when overdue or broken"}},
           schedulers});
  reg.add({"scheduler.run_now", "run a Job Scheduler now: promote the delayed job of its next run", Effect::changes,
           {{"queue", V::string, true, "queue name"},
            {"scheduler", V::string, true, "the scheduler id"},
            {"grace", V::duration, false, "as queue.schedulers"}},
           {{"job_id", V::string, "the job of the next run"}, {"promoted", V::boolean, "it was promoted"}},
           run_now});
}

}  // namespace opsctl::runbook::actions
