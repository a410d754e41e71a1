// opsctl queue clear QUEUE --all [--force]: the whole queue, as BullMQ's Queue.obliterate({force}).
// Stricter consent than other mutations: on a TTY the user types the queue name; without one it
// takes --yes AND --force. Active jobs are refused unless --force, before anything changes.
#include "cmd/queue/clear_all.h"

#include <fmt/format.h>

#include "audit/audit.h"
#include "cmd/mutation.h"
#include "cmd/progress.h"
#include "core/error.h"
#include "queue/obliterate.h"

namespace opsctl::cmd {
namespace {

// A refusal decided here (not by the protocol) still gets its audit line.
[[noreturn]] void refuse(Session& s, const queue::MutationResult& plan, const std::string& result,
                         const std::string& message) {
  audit::Record rec;
  rec.target = plan.target;
  rec.action = plan.action;
  rec.matched = plan.matched;
  rec.dry_run = false;
  rec.result = result;
  SessionAuditSink(s).append(rec);
  throw refused_error(message);
}

}  // namespace

int run_clear_all(Session& s, const ClearAllFlags& f) {
  MutationSpec spec = mutation_spec(s, "queue.clear-all");
  queue::ObliterateOptions o;
  o.ref = {s.prefix(), f.queue};
  o.force = f.force ? queue::Force::yes : queue::Force::no;
  auto& store = s.queues();

  spec.target = store.display() + " " + o.ref.display();
  spec.verb_phrase = "remove";
  spec.noun_phrase = "jobs, then every key of the queue (obliterate)";
  spec.dry_run = f.dry_run;
  spec.style = ConfirmStyle::type_name;
  spec.confirm_name = f.queue;
  spec.apply_when_empty = true;

  std::int64_t planned = 0;  // for the progress line
  auto preview = [&]() {
    std::int64_t active = 0;
    auto plan = store.plan_obliterate(o, active);
    if (active > 0 && !f.force) {
      std::string why = fmt::format("{} active job{} (being processed): without --force the queue is not "
                                    "obliterated", active, active == 1 ? "" : "s");
      if (f.dry_run) {
        plan.problems.push_back({"", o.ref.key("active"), "", why});
      } else {
        refuse(s, plan, "refused: active jobs without --force", queue::active_jobs_refusal(plan.target, active));
      }
    }
    bool tty = s.io().in_tty && s.io().err_tty;
    if (!f.dry_run && !tty && !(s.flags().yes && f.force)) {
      refuse(s, plan, "refused: --all without a TTY needs --yes and --force",
             fmt::format("queue.clear --all: refusing to obliterate {} without a TTY unless both --yes and --force "
                         "are given (or --dry-run to preview); nothing changed", plan.target));
    }
    planned = plan.matched;
    return plan;
  };
  auto apply = [&]() {
    Progress progress(s.io(), "Obliterating", planned);
    return store.obliterate(o, [&](std::int64_t done) { progress.update(done); });
  };
  return run_mutation(s, spec, preview, apply);
}

}  // namespace opsctl::cmd
