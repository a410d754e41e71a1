// opsctl job remove QUEUE ID...: BullMQ's Queue.remove(id, {removeChildren: true}) for each id, with
// a result per id; a refused or missing id never stops the others.
#include <set>

#include <fmt/format.h>

#include "cmd/mutation.h"
#include "cmd/registry.h"

namespace opsctl::cmd {
namespace {

struct RemoveFlags {
  std::string queue;
  std::vector<std::string> ids;
  bool dry_run = false;
};

int run_remove(Session& s, const RemoveFlags& f) {
  MutationSpec spec = mutation_spec(s, "job.remove");
  queue::QueueRef ref{s.prefix(), f.queue};
  std::vector<std::string> ids;  // each id once, in the order given
  std::set<std::string> seen;
  for (const auto& id : f.ids) {
    if (seen.insert(id).second) ids.push_back(id);
  }
  auto& store = s.queues();
  spec.target = store.display() + " " + ref.display();
  spec.verb_phrase = "remove";
  spec.noun_phrase = "jobs (with their children)";
  spec.dry_run = f.dry_run;
  auto preview = [&]() { return store.job_remove(ref, ids, queue::DryRun::yes); };
  auto apply = [&]() { return store.job_remove(ref, ids, queue::DryRun::no); };
  return run_mutation(s, spec, preview, apply);
}

}  // namespace

void add_job_remove(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<RemoveFlags>();
  CLI::App* cmd = noun.add_subcommand("remove", "remove jobs and their children, as Queue.remove (locked jobs refused)");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_option("ids", f->ids, "job ids")->required();
  cmd->add_flag("--dry-run", f->dry_run, "report what would be removed, change nothing");
  reg.add(cmd, [f](Session& s) { return run_remove(s, *f); });
}

}  // namespace opsctl::cmd
