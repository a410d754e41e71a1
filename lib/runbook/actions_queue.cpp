// queue.inspect, queue.resume, queue.retry and job.unstick: the queue commands' operations from lib/queue.
#include <fmt/format.h>

#include "queue/inspect.h"
#include "queue/store.h"
#include "queue/json_fields.h"
#include "queue/pause.h"
#include "queue/unstick.h"
#include "runbook/actions.h"
#include "runbook/actions_queue.h"
#include "util/duration.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

ActionResult inspect(const Args& a, ActionContext& ctx, DryRun) {
  queue::InspectOptions o;
  o.ref = {ctx.prefix(), a.str("queue")};
  auto& t = o.thresholds;
  t.warn_wait = a.integer_or("warn_wait", t.warn_wait);
  t.crit_wait = a.integer_or("crit_wait", t.crit_wait);
  t.warn_failed = a.integer_or("warn_failed", t.warn_failed);
  t.crit_failed = a.integer_or("crit_failed", t.crit_failed);
  if (t.warn_wait > t.crit_wait) throw a.error("warn_wait", "must not be above crit_wait");
  if (t.warn_failed > t.crit_failed) throw a.error("warn_failed", "must not be above crit_failed");
  if (a.has("window")) {
    try {
      t.window_ms = util::parse_duration(a.str("window")).count();
    } catch (const Error& e) {
      throw a.error("window", e.what());
    }
    if (t.window_ms <= 0) throw a.error("window", "must be longer than 0");
  }
  o.now_ms = ctx.now_ms();
  auto r = ctx.queues().inspect(o);

  ActionResult out;
  out.status = r.status;
  out.summary = fmt::format("{}: {}", r.ref.name, r.summary);
  out.target = r.ref.display();
  json& f = out.findings;
  f["status"] = std::string(to_string(r.status));
  f["summary"] = r.summary;
  f["paused"] = r.shape.paused;
  for (const auto& [state, n] : r.counts) {
    std::string name = state == "waiting-children" ? "waiting_children" : state;
    f[name] = n.value_or(0);
  }
  for (const char* s : {"waiting", "active", "delayed", "prioritized", "completed", "failed", "waiting_children"}) {
    if (!f.contains(s)) f[s] = 0;
  }
  f["ready"] = queue::count_of(r.counts, "waiting") + queue::count_of(r.counts, "prioritized") +
               queue::count_of(r.counts, "paused");
  f["workers"] = r.workers ? json(r.workers->size()) : json(nullptr);
  f["oldest_waiting_id"] = r.figures.oldest_waiting_id ? json(*r.figures.oldest_waiting_id) : json(nullptr);
  f["oldest_waiting_age_ms"] =
      r.figures.oldest_waiting_timestamp ? json(r.now_ms - *r.figures.oldest_waiting_timestamp) : json(nullptr);
  json reasons = json::array();
  for (const auto& g : r.failures) reasons.push_back({{"reason", g.reason}, {"count", g.count}});
  f["failure_reasons"] = reasons;
  f["top_failure_reason"] = r.failures.empty() ? json(nullptr) : json(r.failures.front().reason);
  f["problems"] = queue::problems_json(r.problems);
  f["window_ms"] = r.figures.window_ms;
  f["failed_in_window"] = r.figures.failed.in_window;
  auto last = r.figures.last_finished_ms();
  f["last_finished_age_ms"] = last ? json(r.figures.now_ms - *last) : json(nullptr);
  f["processing_p95_ms"] = r.figures.processing.p95 ? json(*r.figures.processing.p95) : json(nullptr);
  json checks = json::array();
  json why = nullptr;
  for (const auto& c : r.checks) {
    checks.push_back({{"name", c.name}, {"level", std::string(to_string(c.level))}, {"message", c.message}});
    if (why.is_null() && !c.why.empty() && c.level == r.status) why = c.why;
    if (c.name == "processor") f["processor_down"] = c.level == Status::critical;
    if (c.name == "long_active") f["long_active"] = static_cast<std::int64_t>(c.value.value_or(0));
  }
  f["checks"] = checks;
  f["why"] = why;
  return out;
}

ActionResult resume(const Args& a, ActionContext& ctx, DryRun dry) {
  queue::PauseOptions o;
  o.ref = {ctx.prefix(), a.str("queue")};
  o.dry_run = dry;
  auto r = ctx.queues().resume(o);
  ActionResult out;
  out.planned = r.matched;
  out.changed = r.changed;
  out.target = r.target;
  std::int64_t jobs = r.details.value("jobs", std::int64_t{0});
  out.summary = r.matched == 0 ? fmt::format("{} is not paused: nothing to resume", o.ref.display())
                               : fmt::format("resume {} ({} waiting)", o.ref.display(), plural(jobs, "job", "jobs"));
  out.findings = {{"matched", r.matched},
                  {"changed", r.changed},
                  {"paused_before", r.details.value("paused_before", false)},
                  {"jobs", jobs},
                  {"layout", r.details.value("layout", "")}};
  return out;
}

ActionResult unstick(const Args& a, ActionContext& ctx, DryRun dry) {
  if (a.has("table")) return unstick_sql(a, ctx, dry);
  if (!a.has("queue")) throw a.error("queue", "give queue (a BullMQ queue) or table (an SQL job table)");
  queue::UnstickOptions o;
  o.ref = {ctx.prefix(), a.str("queue")};
  o.now_ms = ctx.now_ms();
  if (a.has("older_than")) o.started_before_ms = o.now_ms - a.duration_or("older_than", {}).count();
  std::string to = a.str_or("to", "wait");
  if (to == "failed") o.to = queue::UnstickTarget::failed;
  else if (to != "wait") throw a.error("to", fmt::format("must be wait or failed, not '{}'", to));
  if (a.has("limit")) {
    o.limit = a.integer("limit");
    if (*o.limit < 1) throw a.error("limit", "must be at least 1");
  }
  o.dry_run = dry;
  auto r = ctx.queues().unstick(o);
  ActionResult out;
  out.planned = r.matched;
  out.changed = r.changed;
  out.target = r.target;
  std::int64_t locked = r.details.value("locked", std::int64_t{0});
  out.summary = fmt::format("{} {} in {} ({} with a live lock left alone)",
                            to == "failed" ? "fail" : "requeue", plural(r.matched, "stuck job", "stuck jobs"),
                            o.ref.display(), locked);
  out.findings = {{"matched", r.matched}, {"changed", r.changed}, {"ids", r.ids},
                  {"locked", locked},     {"to", to},             {"problems", queue::problems_json(r.problems)}};
  if (dry == DryRun::no && !r.problems.empty()) {
    out.failed = true;
    out.error = fmt::format("{} skipped (corrupted or missing job data)", plural(static_cast<std::int64_t>(r.problems.size()), "job", "jobs"));
  }
  return out;
}

}  // namespace

void add_queue(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"queue.inspect", "counts, paused, workers, oldest waiting, failures by reason (as queue inspect)",
           Effect::reads,
           {{"queue", V::string, true, "queue name"},
            {"warn_wait", V::integer, false, "warning above this many ready jobs (default 10)"},
            {"crit_wait", V::integer, false, "critical above this many ready jobs (default 50)"},
            {"warn_failed", V::integer, false, "warning above this many failures within the window (default 5)"},
            {"crit_failed", V::integer, false, "critical above this many failures within the window (default 20)"},
            {"window", V::string, false, "window of failures, throughput and processing time (default 15m)"}},
           {{"status", V::string, "ok, warning, critical or unknown against the thresholds"},
            {"summary", V::string, "one line, as queue inspect prints it"},
            {"paused", V::boolean, "the queue is paused"},
            {"waiting", V::integer, "jobs in waiting"},
            {"active", V::integer, "jobs in active"},
            {"delayed", V::integer, "jobs in delayed"},
            {"prioritized", V::integer, "jobs in prioritized"},
            {"completed", V::integer, "jobs in completed"},
            {"failed", V::integer, "jobs in failed"},
            {"waiting_children", V::integer, "jobs in waiting-children"},
            {"ready", V::integer, "jobs ready to run: waiting + prioritized (+ a legacy paused list)"},
            {"workers", V::integer, "workers connected; null when CLIENT LIST is not allowed"},
            {"oldest_waiting_id", V::string, "the next job to run"},
            {"oldest_waiting_age_ms", V::integer, "how long it has waited, in milliseconds"},
            {"failure_reasons", V::list, "[{reason, count}] of the newest 1000 failed jobs, most frequent first"},
            {"top_failure_reason", V::string, "the most frequent failure reason; null when none"},
            {"problems", V::list, "bad data found: [{id, key, field, problem}]"},
            {"window_ms", V::integer, "the window of the rate-like checks"},
            {"failed_in_window", V::integer, "jobs failed within the window"},
            {"last_finished_age_ms", V::integer, "time since the newest finished job; null when none is on record"},
            {"processing_p95_ms", V::integer, "p95 processing time of the jobs completed in the window; null when none"},
            {"processor_down", V::boolean, "jobs wait and nothing finished for 10 minutes, no live worker"},
            {"long_active", V::integer, "jobs active for over 5 minutes"},
            {"checks", V::list, "[{name, level, message}] of every check, as queue inspect"},
            {"why", V::string, "the likely cause and next command of the worst check; null when ok"}},
           inspect});
  reg.add({"queue.resume", "let workers take jobs again (as queue resume)", Effect::changes,
           {{"queue", V::string, true, "queue name"}},
           {{"matched", V::integer, "1 when the queue was paused, else 0"},
            {"changed", V::integer, "1 when it was resumed"},
            {"paused_before", V::boolean, "the queue was paused"},
            {"jobs", V::integer, "jobs waiting that workers can take now"},
            {"layout", V::string, "BullMQ layout of the queue"}},
           resume});
  reg.add({"job.unstick",
           "active jobs whose worker died back to waiting (as job unstick), or stuck rows of an SQL job table "
           "(as job unstick --sql)",
           Effect::changes, unstick_args(), unstick_findings(), unstick});
  add_queue_retry(reg);
}

}  // namespace opsctl::runbook::actions
