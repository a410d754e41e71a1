// opsctl job unstick QUEUE: active jobs whose worker died (no lock), or running longer than
// --older-than, back to waiting (as BullMQ's stalled-job checker) or to failed.
#include <fmt/format.h>

#include "cmd/job/unstick_sql.h"
#include "cmd/mutation.h"
#include "cmd/progress.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "queue/unstick.h"
#include "redis/server_time.h"
#include "util/duration.h"

namespace opsctl::cmd {
namespace {

struct UnstickFlags {
  std::string queue;
  std::string older_than;
  std::string to = "wait";
  std::int64_t limit = 0;
  bool dry_run = false;
};

int run_unstick(Session& s, const UnstickFlags& f, bool limit_given) {
  MutationSpec spec = mutation_spec(s, "job.unstick");
  queue::UnstickOptions o;
  o.ref = {s.prefix(), f.queue};
  std::optional<std::int64_t> older;
  if (!f.older_than.empty()) older = util::parse_duration(f.older_than).count();
  if (f.to == "failed") o.to = queue::UnstickTarget::failed;
  else if (f.to != "wait") throw usage_error(fmt::format("--to must be wait or failed, not '{}'", f.to));
  if (limit_given) {
    if (f.limit < 1) throw usage_error("--limit must be at least 1");
    o.limit = f.limit;
  }
  auto& store = s.queues();
  o.now_ms = store.now_ms();  // processedOn ages by the server's clock, as queue inspect
  if (older) o.started_before_ms = o.now_ms - *older;

  spec.target = store.display() + " " + o.ref.display();
  spec.verb_phrase = o.to == queue::UnstickTarget::failed ? "fail" : "requeue";
  spec.noun_phrase = f.older_than.empty() ? "stuck active jobs (no lock)"
                                          : fmt::format("active jobs (no lock, or started over {} ago)", f.older_than);
  spec.dry_run = f.dry_run;
  queue::MutationResult last;
  std::int64_t locked = 0;  // from the preview: after the move a worker may already hold a requeued job
  int code = run_mutation(
      s, spec,
      [&] {
        o.dry_run = queue::DryRun::yes;
        last = store.unstick(o);
        locked = last.details.value("locked", std::int64_t{0});
        return last;
      },
      [&] {
        Progress progress(s.io(), fmt::format("unstick {}", f.queue), last.matched);
        o.dry_run = queue::DryRun::no;
        o.progress = [&](std::int64_t n) { progress.update(n); };
        return last = store.unstick(o);
      });
  // Why a job the user sees in `active` was not taken: its worker is alive (diagnostic, stderr).
  if (locked > 0) {
    s.io().err << fmt::format("note: {} active job{} left alone: a live worker holds the lock{}\n", locked,
                              locked == 1 ? "" : "s",
                              f.older_than.empty() ? " (--older-than DUR also takes jobs running longer than DUR)" : "");
  }
  return code;
}

}  // namespace

void add_job_unstick(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<UnstickFlags>();
  auto sql = std::make_shared<UnstickSqlFlags>();
  CLI::App* cmd = noun.add_subcommand(
      "unstick", "active jobs whose worker died (lock gone) back to waiting or failed; --sql: a SQL job table");
  cmd->add_option("queue", f->queue, "queue name (not with --sql)");
  add_unstick_sql_flags(*cmd, *sql);
  cmd->add_option("--older-than", f->older_than,
                  "also jobs that started longer ago than DUR, even with a live lock (a hung worker)");
  cmd->add_option("--to", f->to, "where they go: wait (default, as BullMQ's stalled checker) or failed")
      ->check(CLI::IsMember({"wait", "failed"}));
  CLI::Option* limit = cmd->add_option("--limit", f->limit, "move at most N jobs");
  cmd->add_flag("--dry-run", f->dry_run, "report what would change; change nothing");
  reg.add(cmd, [f, sql, limit](Session& s) {
    if (sql->sql) {  // the same verb for a PostgreSQL job table: shared flags mean the same
      if (!f->queue.empty()) throw usage_error("job unstick --sql takes no queue name (use --table)");
      if (f->to != "wait") throw usage_error("job unstick --sql: use --set-status instead of --to");
      sql->older_than = f->older_than;
      sql->limit = f->limit;
      sql->dry_run = f->dry_run;
      return run_job_unstick_sql(s, *sql);
    }
    if (f->queue.empty()) throw usage_error("job unstick: give a QUEUE, or --sql --table T for a SQL job table");
    return run_unstick(s, *f, limit->count() > 0);
  });
}

}  // namespace opsctl::cmd
