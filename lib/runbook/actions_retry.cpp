// queue.retry: failed (or completed) jobs back to waiting, as `queue retry` (Queue.retryJobs).
#include <fmt/format.h>

#include "queue/inspect.h"
#include "queue/retry.h"
#include "queue/store.h"
#include "runbook/actions.h"
#include "runbook/actions_queue.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

ActionResult retry(const Args& a, ActionContext& ctx, DryRun dry) {
  queue::QueueRetryOptions o;
  o.ref = {ctx.prefix(), a.str("queue")};
  o.state = a.str_or("state", "failed");
  if (a.has("name")) o.name = a.str("name");
  if (a.has("reason")) o.reason = a.str("reason");
  if (a.has("older_than")) o.older_than_ms = a.duration_or("older_than", {}).count();
  if (a.has("limit")) o.limit = a.integer("limit");
  o.reset = a.boolean_or("reset_attempts", false) ? queue::ResetAttempts::yes : queue::ResetAttempts::no;
  o.now_ms = ctx.now_ms();
  queue::check_retry_options(o, [&](const std::string& option, const std::string& what) { return a.error(option, what); });
  auto retry = ctx.queues().retry(o);
  queue::MutationResult r = dry == DryRun::yes ? retry->plan() : retry->apply({});
  ActionResult out;
  out.planned = r.matched;
  out.changed = dry == DryRun::yes ? 0 : r.changed;
  out.target = r.target;
  out.summary = fmt::format("retry {} in {}", plural(r.matched, o.state + " job", o.state + " jobs"), o.ref.display());
  json problems = json::array();
  for (const auto& p : r.problems) problems.push_back(queue::to_json(p));
  out.findings = {{"matched", r.matched}, {"changed", out.changed}, {"ids", r.ids}, {"problems", problems}};
  if (dry == DryRun::no && !r.problems.empty()) {
    out.failed = true;
    out.error = fmt::format("{} skipped (corrupted or missing job data)",
                            plural(static_cast<std::int64_t>(r.problems.size()), "job", "jobs"));
  }
  return out;
}

}  // namespace

void add_queue_retry(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"queue.retry", "failed (or completed) jobs back to waiting (as queue retry)", Effect::changes,
           {{"queue", V::string, true, "queue name"},
            {"state", V::string, false, "failed (default) or completed"},
            {"name", V::string, false, "only jobs with this name"},
            {"reason", V::string, false, "only jobs whose failedReason matches this regular expression"},
            {"older_than", V::duration, false, "only jobs that finished at least this long ago"},
            {"limit", V::integer, false, "at most this many jobs, oldest finished first"},
            {"reset_attempts", V::boolean, false, "also reset attemptsMade and attemptsStarted"}},
           {{"matched", V::integer, "jobs that match"},
            {"changed", V::integer, "jobs moved to waiting (0 in a dry run)"},
            {"ids", V::list, "a sample of their ids"},
            {"problems", V::list, "jobs skipped for bad data"}},
           retry});
}

}  // namespace opsctl::runbook::actions
