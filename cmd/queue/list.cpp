// opsctl queue list: the BullMQ queues under a prefix, with counts, paused flag and the verdict of
// the same checks as queue inspect, all queues read in a few shared pipelines.
#include <algorithm>

#include <fmt/format.h>

#include "cmd/queue/render_list.h"
#include "cmd/queue/thresholds.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"
#include "output/table.h"
#include "queue/json.h"
#include "queue/json_fields.h"
#include "queue/schedulers.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

struct ListFlags {
  std::int64_t sample = 20;
  bool check = false;
  std::shared_ptr<ThresholdFlags> thresholds;
};

int run_list(Session& s, const ListFlags& flags) {
  if (flags.sample < 0 || flags.sample > 1000) throw usage_error("--sample must be between 0 and 1000");
  std::string prefix = s.prefix();
  s.about_queue(prefix, "", {{"queues", nullptr}});
  auto& store = s.queues();
  warn_unknown_thresholds(s, *flags.thresholds);
  std::vector<queue::QueueRef> refs;
  std::vector<queue::Thresholds> thresholds;
  for (const auto& name : store.discover(prefix)) {
    refs.push_back({prefix, name});
    thresholds.push_back(resolve_thresholds(s, *flags.thresholds, name));
  }
  // Queues share a probe when they share window and scheduler grace; per-queue thresholds that
  // change either get their own (rare) probe.
  std::vector<ListedQueue> queues(refs.size());
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < refs.size(); ++i) groups[{thresholds[i].window_ms, thresholds[i].scheduler_grace_ms}].push_back(i);
  for (const auto& [key, members] : groups) {
    queue::ProbeOptions po;
    po.window_ms = key.first;
    po.scheduler_grace_ms = key.second;
    po.processing_sample = static_cast<std::size_t>(flags.sample);
    po.active_sample = 100;
    po.local_now_ms = s.io().now_ms();
    std::vector<queue::QueueRef> batch;
    for (auto i : members) batch.push_back(refs[i]);
    auto figures = store.probe(batch, po);
    for (std::size_t k = 0; k < members.size(); ++k) {
      auto& q = queues[members[k]];
      q.figures = std::move(figures[k]);
      q.thresholds = thresholds[members[k]];
      if (q.figures.schedulers_overdue > 0) {
        // Rare: tell overdue from broken as inspect does, so both give the same verdict.
        auto sr = store.schedulers(q.figures.ref, {q.figures.now_ms, key.second, 1000});
        q.figures.schedulers_overdue = sr.overdue;
        q.figures.schedulers_broken = sr.broken;
        q.figures.schedulers_read = true;
      }
      q.verdict = queue::judge(q.figures, q.thresholds);
    }
  }
  Status status = Status::ok;
  for (const auto& q : queues) status = worst(status, q.verdict.status);
  if (s.format() == output::Format::json) {
    s.emit(output::json_document(list_json(prefix, queues, status)));
  } else if (s.format() == output::Format::nagios) {
    s.emit(list_nagios(prefix, queues, status));
  } else if (s.format() == output::Format::prom) {
    s.emit(list_prom(queues, s.report().labels));
  } else {
    s.emit(list_text(prefix, queues, s.color()));
  }
  // A listing exits 0 whatever the verdicts (3 when a queue's data has problems), so scripts that
  // list queues do not fail on a warning; --check and -o nagios make it a check of the whole prefix.
  if (flags.check || s.format() == output::Format::nagios) return static_cast<int>(exit_code(status));
  bool problems = false;
  for (const auto& q : queues) problems = problems || !q.figures.shape.problems.empty();
  return static_cast<int>(problems ? ExitCode::unknown : ExitCode::ok);
}

}  // namespace

void add_queue_list(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<ListFlags>();
  CLI::App* cmd = noun.add_subcommand("list", "BullMQ queues under a prefix, with counts and the checks' verdict");
  cmd->add_option("--sample", f->sample, "newest completed jobs per queue for processing time (default 20)");
  cmd->add_flag("--check", f->check, "exit with the worst queue's status (0-3), as -o nagios does");
  f->thresholds = add_threshold_flags(cmd);
  reg.add(cmd, [f](Session& s) { return run_list(s, *f); });
}

}  // namespace opsctl::cmd
