// opsctl queue promote QUEUE: delayed jobs to waiting now, as Queue.promoteJobs().
#include <fmt/format.h>

#include "cmd/mutation.h"
#include "cmd/progress.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "queue/promote.h"

namespace opsctl::cmd {
namespace {

struct PromoteFlags {
  std::string queue;
  std::int64_t limit = 0;
  bool dry_run = false;
};

int run_promote(Session& s, const PromoteFlags& f, bool limit_given) {
  MutationSpec spec = mutation_spec(s, "queue.promote");
  if (limit_given && f.limit < 1) throw usage_error("--limit must be at least 1");
  queue::PromoteOptions o;
  o.ref = {s.prefix(), f.queue};
  if (limit_given) o.limit = f.limit;
  auto& store = s.queues();

  spec.target = store.display() + " " + o.ref.display();
  spec.verb_phrase = "promote";
  spec.noun_phrase = "delayed jobs";
  spec.dry_run = f.dry_run;
  std::int64_t total = 0;
  return run_mutation(
      s, spec,
      [&] {
        o.dry_run = queue::DryRun::yes;
        auto plan = store.promote(o);
        total = plan.matched;
        return plan;
      },
      [&] {
        Progress progress(s.io(), fmt::format("promote {}", f.queue), total);
        o.dry_run = queue::DryRun::no;
        o.progress = [&](std::int64_t n) { progress.update(n); };
        return store.promote(o);
      });
}

}  // namespace

void add_queue_promote(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<PromoteFlags>();
  CLI::App* cmd = noun.add_subcommand("promote", "delayed jobs to waiting now (as Queue.promoteJobs())");
  cmd->add_option("queue", f->queue, "queue name")->required();
  CLI::Option* limit = cmd->add_option("--limit", f->limit, "promote at most N jobs, earliest due first");
  cmd->add_flag("--dry-run", f->dry_run, "report what would change; change nothing");
  reg.add(cmd, [f, limit](Session& s) { return run_promote(s, *f, limit->count() > 0); });
}

}  // namespace opsctl::cmd
