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

// An action's outcome line, or why it was not done (refused, declined, unreachable, failed).
template <typename F>
std::string guarded(F&& action) {
  try {
    return action();
  } catch (const Error& e) {
    return "Not done: " + util::redact(e.what());
  } catch (const std::exception& e) {
    return std::string("Not done: ") + e.what();
  }
}

// The protocol over the screen; the outcome as one line.
std::string run_action(Session& s, Screen& screen, const MutationSpec& spec, const mutation::Plan& plan, const mutation::Apply& apply) {
  ScreenPrompter prompter(screen);
  mutation::Gate gate(session_consent(s), prompter);
  SessionAuditSink audit(s);
  const auto r = mutation::run(spec, gate, audit, plan, apply);
  if (r.matched == 0) return fmt::format("Nothing to {}: no {} matched.", spec.verb_phrase, spec.noun_phrase);
  return fmt::format("Done: {} {} of {} matched {} in {}.", spec.verb_phrase, r.changed, r.matched, spec.noun_phrase, spec.target);
}

// A store transition whose plan is its own dry run (resume, unstick).
template <typename Options, typename Transition>
std::string run_dry_run_twin(Session& s, Screen& screen, const MutationSpec& spec, Options& o, Transition transition) {
  return run_action(
      s, screen, spec,
      [&] {
        o.dry_run = queue::DryRun::yes;
        return transition(o);
      },
      [&] {
        o.dry_run = queue::DryRun::no;
        return transition(o);
      });
}

MutationSpec spec_for(Session& s, const std::string& action, const std::string& queue, const std::string& verb,
                      const std::string& noun) {
  MutationSpec spec;
  spec.action = action;
  spec.verb_phrase = verb;
  spec.noun_phrase = noun;
  spec.target = fmt::format("{} {}", s.queues().display(), queue::QueueRef{s.prefix(), queue}.display());
  return spec;
}

}  // namespace

std::string read_only_reason(Session& s) {
  const auto c = session_consent(s);
  return c.read_only ? fmt::format("context {} is read_only: actions are disabled", c.context) : "";
}

std::string retry_reason(Session& s, Screen& screen, const std::string& queue, const std::string& reason) {
  return guarded([&] {
    const MutationSpec spec = spec_for(s, "queue.retry", queue, "retry", fmt::format("failed jobs with reason \"{}\"", reason));
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
  });
}

std::string resume_queue(Session& s, Screen& screen, const std::string& queue) {
  return guarded([&] {
    const MutationSpec spec = spec_for(s, "queue.resume", queue, "resume", "paused queue");
    queue::PauseOptions o;
    o.ref = {s.prefix(), queue};
    return run_dry_run_twin(s, screen, spec, o, [&](const queue::PauseOptions& x) { return s.queues().resume(x); });
  });
}

std::string unstick_queue(Session& s, Screen& screen, const std::string& queue) {
  return guarded([&] {
    const MutationSpec spec = spec_for(s, "job.unstick", queue, "requeue", "stuck active jobs (no lock)");
    queue::UnstickOptions o;
    o.ref = {s.prefix(), queue};
    o.now_ms = s.queues().now_ms();
    return run_dry_run_twin(s, screen, spec, o, [&](const queue::UnstickOptions& x) { return s.queues().unstick(x); });
  });
}

std::string terminate_session(Session& s, Screen& screen, std::int64_t pid, const std::string& backend_start) {
  return guarded([&] {
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
  });
}

}  // namespace opsctl::cmd::top_view
