// The `job` noun: one BullMQ job.
#include "cmd/job/unstick_sql.h"
#include "cmd/registry.h"
#include "core/error.h"

namespace opsctl::cmd {

void register_job(CLI::App& app, Registry& reg) {
  CLI::App* job = app.add_subcommand("job", "BullMQ jobs: show; jobs stuck in a SQL job table: unstick --sql");
  job->require_subcommand(1);
  add_job_show(*job, reg);
  add_job_unstick_sql_only(*job, reg);
}

// TEMPORARY until the BullMQ `job unstick QUEUE` (cmd/job/unstick.cpp) lands: this `job unstick`
// knows only --sql. The merged verb binds add_unstick_sql_flags() next to its own flags, shares
// --older-than/--limit/--dry-run, and calls run_job_unstick_sql() when --sql is set.
void add_job_unstick_sql_only(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<UnstickSqlFlags>();
  CLI::App* cmd = noun.add_subcommand("unstick", "jobs stuck in running in a PostgreSQL job table (--sql) back to a status");
  add_unstick_sql_flags(*cmd, *f);
  add_unstick_shared_flags(*cmd, *f);
  reg.add(cmd, [f](Session& s) {
    if (!f->sql) throw usage_error("job unstick: this build supports only the SQL variant: job unstick --sql --table T --older-than DUR");
    return run_job_unstick_sql(s, *f);
  });
}

}  // namespace opsctl::cmd
