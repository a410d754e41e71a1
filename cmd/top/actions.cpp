#include "cmd/top/actions.h"

#include <fmt/format.h>

#include "cmd/db/signal_plan.h"
#include "cmd/mutation.h"
#include "core/error.h"
#include "queue/retry.h"
#include "top/drill.h"
#include "util/redact.h"

namespace opsctl::cmd::top_view {
namespace {

// The protocol over the screen; the outcome as one line.
std::string run_action(Session& s, Screen& screen, const MutationSpec& spec, const mutation::Plan& plan, const mutation::Apply& apply) {
  ScreenPrompter prompter(screen);
  mutation::Gate gate(session_consent(s), prompter);
  SessionAuditSink audit(s);
  try {
    const auto r = mutation::run(spec, gate, audit, plan, apply);
    if (r.matched == 0) return fmt::format("Nothing to {}: no {} matched.", spec.verb_phrase, spec.noun_phrase);
    return fmt::format("Done: {} {} of {} matched {} in {}.", spec.verb_phrase, r.changed, r.matched, spec.noun_phrase, spec.target);
  } catch (const Error& e) {
    return "Not done: " + util::redact(e.what());
  } catch (const std::exception& e) {
    return std::string("Not done: ") + e.what();
  }
}

MutationSpec spec_for(Session& s, const std::string& action, const std::string& queue) {
  MutationSpec spec;
  spec.action = action;
  spec.target = fmt::format("{} {}", s.queues().display(), queue::QueueRef{s.prefix(), queue}.display());
  return spec;
}

}  // namespace

std::string read_only_reason(Session& s) {
  const auto c = session_consent(s);
  return c.read_only ? fmt::format("context {} is read_only: actions are disabled", c.context) : "";
}

std::string retry_reason(Session& s, Screen& screen, const std::string& queue, const std::string& reason) {
  try {
    MutationSpec spec = spec_for(s, "queue.retry", queue);
    spec.verb_phrase = "retry";
    spec.noun_phrase = fmt::format("failed jobs with reason \"{}\"", reason);
    queue::QueueRetryOptions o;
    o.ref = {s.prefix(), queue};
    o.reason = top::reason_pattern(reason);
    std::unique_ptr<mutation::Operation> op;
    return run_action(
        s, screen, spec,
        [&] {
          o.now_ms = s.queues().now_ms();
          queue::check_retry_options(o);
          op = s.queues().retry(o);
          return op->plan();
        },
        [&] { return op->apply([](std::int64_t) {}); });
  } catch (const Error& e) {
    return "Not done: " + util::redact(e.what());
  }
}

std::string resume_queue(Session& s, Screen& screen, const std::string& queue) {
  try {
    MutationSpec spec = spec_for(s, "queue.resume", queue);
    spec.verb_phrase = "resume";
    spec.noun_phrase = "paused queue";
    queue::PauseOptions o;
    o.ref = {s.prefix(), queue};
    return run_action(
        s, screen, spec,
        [&] {
          o.dry_run = queue::DryRun::yes;
          return s.queues().resume(o);
        },
        [&] {
          o.dry_run = queue::DryRun::no;
          return s.queues().resume(o);
        });
  } catch (const Error& e) {
    return "Not done: " + util::redact(e.what());
  }
}

std::string unstick_queue(Session& s, Screen& screen, const std::string& queue) {
  try {
    MutationSpec spec = spec_for(s, "job.unstick", queue);
    spec.verb_phrase = "requeue";
    spec.noun_phrase = "stuck active jobs (no lock)";
    queue::UnstickOptions o;
    o.ref = {s.prefix(), queue};
    return run_action(
        s, screen, spec,
        [&] {
          o.now_ms = s.queues().now_ms();
          o.dry_run = queue::DryRun::yes;
          return s.queues().unstick(o);
        },
        [&] {
          o.dry_run = queue::DryRun::no;
          return s.queues().unstick(o);
        });
  } catch (const Error& e) {
    return "Not done: " + util::redact(e.what());
  }
}

std::string terminate_session(Session& s, Screen& screen, std::int64_t pid, const std::string& backend_start) {
  try {
    MutationSpec spec;
    spec.action = "db.terminate";
    spec.target = fmt::format("postgres {}", s.pg_display());
    spec.verb_phrase = "terminate";
    spec.noun_phrase = fmt::format("session (pid {})", pid);
    db::SessionFilter filter;
    filter.pids = {pid};
    filter.backend_start = backend_start;
    std::vector<db::SignalOutcome> planned;
    return run_action(
        s, screen, spec,
        [&] {
          planned = signal_plan(s.pg(), db::Signal::terminate, filter);
          return signal_result(db::Signal::terminate, spec.target, planned);
        },
        [&] {
          return signal_result(db::Signal::terminate, spec.target, signal_apply(s.pg(), db::Signal::terminate, filter, planned));
        });
  } catch (const Error& e) {
    return "Not done: " + util::redact(e.what());
  }
}

}  // namespace opsctl::cmd::top_view
