// opsctl queue clear QUEUE --state S [--older-than DUR] [--limit N]: BullMQ's Queue.clean;
// opsctl queue clear QUEUE --all [--force]: BullMQ's Queue.obliterate (cmd/queue/clear_all.cpp).
#include <fmt/format.h>

#include "cmd/mutation.h"
#include "cmd/progress.h"
#include "cmd/queue/clear_all.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "queue/clear.h"
#include "queue/finished_window.h"
#include "redis/server_time.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

struct ClearFlags {
  std::string queue;
  std::string state;
  std::string older_than;
  std::string since;
  std::int64_t limit = 0;
  bool all = false;
  bool force = false;
  bool dry_run = false;
  CLI::Option* limit_opt = nullptr;
};

void check_flags(const ClearFlags& f) {
  if (f.all) {
    if (!f.state.empty() || !f.older_than.empty() || !f.since.empty() || f.limit_opt->count() > 0) {
      throw usage_error("queue clear: --all removes the whole queue; it does not combine with --state, "
                        "--older-than, --since or --limit");
    }
    return;
  }
  if (f.force) throw usage_error("queue clear: --force only applies to --all");
  if (f.state.empty()) {
    throw usage_error(fmt::format("queue clear: pass --state S ({}) or --all for the whole queue",
                                  fmt::join(queue::clearable_states(), ", ")));
  }
  if (!queue::is_clearable_state(f.state)) {
    std::string best = util::closest_match(f.state, queue::clearable_states());
    throw usage_error(fmt::format("queue clear: unknown state '{}'{}; states: {}", f.state,
                                  best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best),
                                  fmt::join(queue::clearable_states(), ", ")));
  }
  if (f.limit_opt->count() > 0 && f.limit < 1) throw usage_error("queue clear: --limit must be at least 1");
  if (!f.since.empty() && !queue::takes_since(f.state)) {
    throw usage_error(fmt::format("queue clear: --since takes the finished states ({}), whose jobs are ranked by "
                                  "finishedOn; for {} use --older-than",
                                  fmt::join(queue::since_states(), ", "), f.state));
  }
}

int run_clear(Session& s, const ClearFlags& f) {
  check_flags(f);
  if (f.all) return run_clear_all(s, {f.queue, f.force, f.dry_run});
  MutationSpec spec = mutation_spec(s, "queue.clear");
  queue::ClearOptions o;
  o.ref = {s.prefix(), f.queue};
  o.state = f.state;
  std::optional<std::int64_t> older, since;
  if (!f.older_than.empty()) older = util::parse_duration(f.older_than).count();
  if (!f.since.empty()) since = util::parse_duration(f.since).count();
  queue::finished_window(s.io().now_ms(), since, older);  // a bad window is a usage error before connecting
  auto& store = s.queues();
  // Ages are judged by the Redis server's clock, as queue inspect judges them.
  const queue::FinishedWindow window = queue::finished_window(store.now_ms(), since, older);
  o.cutoff_ms = window.max_score;
  o.min_ms = window.min_score;
  o.limit = f.limit;

  spec.target = store.display() + " " + o.ref.display();
  spec.verb_phrase = "remove";
  spec.noun_phrase = !f.since.empty() ? queue::since_phrase(f.state, f.since, f.older_than)
                     : fmt::format("{} jobs{}", f.state, f.older_than.empty() ? "" : " older than " + f.older_than);
  spec.dry_run = f.dry_run;

  std::int64_t planned = 0;
  auto preview = [&]() {
    Progress progress(s.io(), "Scanning", 0);
    auto plan = store.plan_clear(o, f.dry_run ? queue::DryRun::yes : queue::DryRun::no,
                                     [&](std::int64_t n) { progress.update(n); });
    planned = plan.matched;
    return plan;
  };
  auto apply = [&]() {
    Progress progress(s.io(), "Removing", planned);
    return store.clear(o, [&](std::int64_t n) { progress.update(n); });
  };
  return run_mutation(s, spec, preview, apply);
}

}  // namespace

void add_queue_clear(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<ClearFlags>();
  CLI::App* cmd = noun.add_subcommand("clear", "remove jobs of a state (optionally older than a duration), or --all");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_option("--state", f->state, "completed, failed, waiting, delayed, prioritized or active");
  cmd->add_option("--older-than", f->older_than, "only jobs older than this (30s, 5m, 2h, 7d), by BullMQ's clean rules");
  cmd->add_option("--since", f->since, "completed, failed: only jobs that finished within this long, e.g. 10m");
  f->limit_opt = cmd->add_option("--limit", f->limit, "remove at most N jobs, oldest first");
  cmd->add_flag("--all", f->all, "obliterate the whole queue (every job and queue key), as Queue.obliterate");
  cmd->add_flag("--force", f->force, "with --all: also remove active jobs; required with --yes without a TTY");
  cmd->add_flag("--dry-run", f->dry_run, "report what would be removed, change nothing");
  reg.add(cmd, [f](Session& s) { return run_clear(s, *f); });
}

}  // namespace opsctl::cmd
