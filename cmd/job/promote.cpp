// opsctl job promote QUEUE ID...: delayed jobs to waiting now, each as Job.promote().
#include "cmd/mutation.h"
#include "cmd/registry.h"
#include "queue/promote.h"

namespace opsctl::cmd {
namespace {

struct JobPromoteFlags {
  std::string queue;
  std::vector<std::string> ids;
  bool dry_run = false;
};

int run_job_promote(Session& s, const JobPromoteFlags& f) {
  MutationSpec spec = mutation_spec(s, "job.promote");
  queue::QueueRef ref{s.prefix(), f.queue};
  auto& store = s.queues();
  spec.target = store.display() + " " + ref.display();
  spec.verb_phrase = "promote";
  spec.noun_phrase = "delayed jobs";
  spec.dry_run = f.dry_run;
  return run_mutation(
      s, spec, [&] { return store.job_promote(ref, f.ids, queue::DryRun::yes); },
      [&] { return store.job_promote(ref, f.ids, queue::DryRun::no); });
}

}  // namespace

void add_job_promote(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<JobPromoteFlags>();
  CLI::App* cmd = noun.add_subcommand("promote", "delayed jobs to waiting now (as Job.promote(); priority kept)");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_option("ids", f->ids, "job ids")->required();
  cmd->add_flag("--dry-run", f->dry_run, "report what would change; change nothing");
  reg.add(cmd, [f](Session& s) { return run_job_promote(s, *f); });
}

}  // namespace opsctl::cmd
