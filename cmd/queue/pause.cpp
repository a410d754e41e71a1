// opsctl queue pause|resume QUEUE: Queue.pause()/Queue.resume() of the BullMQ version that owns the
// queue. The two verbs are one concept (a flag and a list move in opposite directions), so they share
// this file.
#include <fmt/format.h>

#include "cmd/mutation.h"
#include "cmd/progress.h"
#include "cmd/registry.h"
#include "queue/pause.h"

namespace opsctl::cmd {
namespace {

struct PauseFlags {
  std::string queue;
  bool dry_run = false;
};

enum class Direction { pause, resume };

int run(Session& s, const PauseFlags& f, Direction d) {
  const char* verb = d == Direction::pause ? "pause" : "resume";
  MutationSpec spec = mutation_spec(s, fmt::format("queue.{}", verb));
  queue::PauseOptions o;
  o.ref = {s.prefix(), f.queue};
  auto& store = s.queues();
  auto op = [&](const queue::PauseOptions& x) { return d == Direction::pause ? store.pause(x) : store.resume(x); };

  o.dry_run = queue::DryRun::yes;
  queue::MutationResult plan = op(o);
  spec.target = plan.target;
  spec.verb_phrase = verb;
  std::string layout = plan.details.value("layout", "");
  std::int64_t jobs = plan.details.value("jobs", std::int64_t{0});
  spec.noun_phrase = plan.matched == 0
      ? fmt::format("queue (already {}d; {} layout)", verb, layout)
      : fmt::format("queue ({} layout; {} job{} waiting)", layout, jobs, jobs == 1 ? "" : "s");
  spec.dry_run = f.dry_run;

  return run_mutation(
      s, spec, [&] { return plan; },
      [&] {
        Progress progress(s.io(), fmt::format("{} {}: ids moved", verb, f.queue), jobs);
        o.dry_run = queue::DryRun::no;
        o.progress = [&](std::int64_t n) { progress.update(n); };
        return op(o);
      });
}

void add(CLI::App& noun, Registry& reg, Direction d) {
  auto f = std::make_shared<PauseFlags>();
  CLI::App* cmd = d == Direction::pause
      ? noun.add_subcommand("pause", "stop workers from taking jobs (as Queue.pause(), BullMQ 5 or 6 layout)")
      : noun.add_subcommand("resume", "let workers take jobs again (as Queue.resume(); merges a paused list)");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_flag("--dry-run", f->dry_run, "report what would change; change nothing");
  reg.add(cmd, [f, d](Session& s) { return run(s, *f, d); });
}

}  // namespace

void add_queue_pause(CLI::App& noun, Registry& reg) { add(noun, reg, Direction::pause); }
void add_queue_resume(CLI::App& noun, Registry& reg) { add(noun, reg, Direction::resume); }

}  // namespace opsctl::cmd
