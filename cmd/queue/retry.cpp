// opsctl queue retry QUEUE: failed (or completed) jobs back to waiting, like Queue.retryJobs.
#include <fmt/format.h>

#include "cmd/mutation.h"
#include "cmd/queue_target.h"
#include "cmd/progress.h"
#include "cmd/registry.h"
#include "queue/retry.h"
#include "redis/server_time.h"
#include "util/duration.h"

namespace opsctl::cmd {
namespace {

struct RetryFlags {
  std::string queue;
  std::string state = "failed";
  std::string name;
  std::string reason;
  std::string older_than;
  std::string since;
  std::int64_t limit = 0;
  bool reset_attempts = false;
  bool dry_run = false;
  CLI::Option* limit_opt = nullptr;
};

queue::QueueRetryOptions to_options(Session& s, const RetryFlags& f) {
  queue::QueueRetryOptions o;
  o.ref = {s.prefix(), f.queue};
  o.state = f.state;
  if (!f.name.empty()) o.name = f.name;
  if (!f.reason.empty()) o.reason = f.reason;
  if (!f.older_than.empty()) o.older_than_ms = util::parse_duration(f.older_than).count();
  if (!f.since.empty()) o.since_ms = util::parse_duration(f.since).count();
  if (f.limit_opt->count() > 0) o.limit = f.limit;
  o.reset = f.reset_attempts ? queue::ResetAttempts::yes : queue::ResetAttempts::no;
  o.now_ms = s.io().now_ms();
  return o;
}

int run_retry(Session& s, const RetryFlags& f) {
  MutationSpec spec = mutation_spec(s, "queue.retry");
  auto o = to_options(s, f);
  queue::check_retry_options(o);  // a bad option is a usage error before any connection
  spec.target = fmt::format("{} {}", queue_target_display(s), o.ref.display());
  spec.verb_phrase = "retry";
  spec.noun_phrase = f.since.empty() ? fmt::format("{} jobs", o.state)
                                     : queue::since_phrase(o.state, f.since, f.older_than);
  spec.dry_run = f.dry_run;
  std::unique_ptr<mutation::Operation> retry;
  std::int64_t total = 0;
  return run_mutation(
      s, spec,
      [&] {
        o.now_ms = s.queues().now_ms();  // ages by the server's clock, as queue inspect
        retry = s.queues().retry(o);
        auto plan = retry->plan();
        total = plan.matched;
        return plan;
      },
      [&] {
        Progress progress(s.io(), "retrying", total);
        return retry->apply([&](std::int64_t n) { progress.update(n); });
      });
}

}  // namespace

void add_queue_retry(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<RetryFlags>();
  CLI::App* cmd = noun.add_subcommand("retry", "failed (or completed) jobs back to waiting");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_option("--state", f->state, "state to retry from: failed (default) or completed")
      ->check(CLI::IsMember({"failed", "completed"}));
  cmd->add_option("--name", f->name, "only jobs with this name");
  cmd->add_option("--reason", f->reason, "only jobs whose failedReason matches this regular expression");
  cmd->add_option("--older-than", f->older_than, "only jobs that finished at least this long ago, e.g. 10m, 2h");
  cmd->add_option("--since", f->since, "only jobs that finished within this long, e.g. 15m (a spike)");
  f->limit_opt = cmd->add_option("--limit", f->limit, "retry at most N jobs (oldest finished first)")
                     ->check(CLI::PositiveNumber);
  cmd->add_flag("--reset-attempts", f->reset_attempts, "also reset attemptsMade and attemptsStarted (atm, ats)");
  cmd->add_flag("--dry-run", f->dry_run, "report what would be retried, change nothing");
  reg.add(cmd, [f](Session& s) { return run_retry(s, *f); });
}

}  // namespace opsctl::cmd
