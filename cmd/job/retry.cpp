// opsctl job retry QUEUE ID...: given failed or completed jobs back to waiting, like Job.retry().
#include <fmt/format.h>

#include "cmd/mutation.h"
#include "cmd/queue_target.h"
#include "cmd/registry.h"
#include "queue/job_retry.h"

namespace opsctl::cmd {
namespace {

struct JobRetryFlags {
  std::string queue;
  std::vector<std::string> ids;
  bool reset_attempts = false;
  bool dry_run = false;
};

int run_job_retry(Session& s, const JobRetryFlags& f) {
  MutationSpec spec = mutation_spec(s, "job.retry");
  queue::JobRetryOptions o;
  o.ref = {s.prefix(), f.queue};
  o.ids = f.ids;
  o.reset = f.reset_attempts ? queue::ResetAttempts::yes : queue::ResetAttempts::no;
  spec.target = fmt::format("{} {}", queue_target_display(s), o.ref.display());
  spec.verb_phrase = "retry";
  spec.noun_phrase = "jobs";
  spec.dry_run = f.dry_run;
  return run_mutation(
      s, spec, [&] { return s.queues().plan_job_retry(o); }, [&] { return s.queues().job_retry(o); });
}

}  // namespace

void add_job_retry(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<JobRetryFlags>();
  CLI::App* cmd = noun.add_subcommand("retry", "failed or completed jobs, by id, back to waiting");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_option("ids", f->ids, "job ids")->required();
  cmd->add_flag("--reset-attempts", f->reset_attempts, "also reset attemptsMade and attemptsStarted (atm, ats)");
  cmd->add_flag("--dry-run", f->dry_run, "report what would be retried, change nothing");
  reg.add(cmd, [f](Session& s) { return run_job_retry(s, *f); });
}

}  // namespace opsctl::cmd
