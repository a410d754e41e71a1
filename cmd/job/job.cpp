// The `job` noun: one BullMQ job.
#include "cmd/registry.h"

namespace opsctl::cmd {

void register_job(CLI::App& app, Registry& reg) {
  CLI::App* job = app.add_subcommand("job", "BullMQ jobs: show, retry");
  job->require_subcommand(1);
  add_job_show(*job, reg);
  add_job_retry(*job, reg);
}

}  // namespace opsctl::cmd
