// The `job` noun: one or a few BullMQ jobs.
#include "cmd/registry.h"

namespace opsctl::cmd {

void register_job(CLI::App& app, Registry& reg) {
  CLI::App* job = app.add_subcommand("job", "BullMQ jobs: show, retry, remove, promote, unstick (also --sql for a SQL job table)");
  job->require_subcommand(1);
  add_job_show(*job, reg);
  add_job_retry(*job, reg);
  add_job_remove(*job, reg);
  add_job_promote(*job, reg);
  add_job_unstick(*job, reg);
}

}  // namespace opsctl::cmd
