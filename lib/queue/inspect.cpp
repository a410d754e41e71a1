#include "queue/inspect.h"

#include <algorithm>
#include <map>

#include "util/text.h"

namespace opsctl::queue {

ProbeOptions probe_options(const InspectOptions& o) {
  ProbeOptions po;
  po.window_ms = o.thresholds.window_ms;
  po.scheduler_grace_ms = o.thresholds.scheduler_grace_ms;
  po.local_now_ms = o.now_ms;
  return po;
}

InspectResult start_inspect(const InspectOptions& o, QueueFigures figures) {
  InspectResult r;
  r.ref = o.ref;
  r.thresholds = o.thresholds;
  r.figures = std::move(figures);
  const auto& f = r.figures;
  r.now_ms = f.now_ms;
  r.shape = f.shape;
  r.counts = f.counts;
  r.workers = f.workers;
  r.stalled_checked = f.active_checked;
  for (const auto& j : f.active) {
    // Bull 3 and unknown layouts keep no lock BullMQ's way: a missing one proves nothing there.
    if (j.lock_ttl_ms || f.shape.layout != Layout::bullmq) continue;
    ++r.stalled;
    if (r.stalled_ids.size() < 20) r.stalled_ids.push_back(j.id);
  }
  return r;
}

void finish_inspect(InspectResult& r, std::optional<SchedulersResult> schedulers) {
  if (schedulers) {
    r.figures.schedulers_overdue = schedulers->overdue;
    r.figures.schedulers_broken = schedulers->broken;
    r.figures.schedulers_read = true;
    r.figures.problems.insert(r.figures.problems.end(), schedulers->problems.begin(), schedulers->problems.end());
    r.schedulers = std::move(schedulers);
  }
  r.problems = r.figures.problems;
  auto verdict = judge(r.figures, r.thresholds);
  r.status = verdict.status;
  r.summary = std::move(verdict.summary);
  r.checks = std::move(verdict.checks);
}

const std::vector<std::string>& listable_states() {
  static const std::vector<std::string> s = {"waiting",   "active", "delayed", "prioritized",
                                             "completed", "failed", "waiting-children", "paused"};
  return s;
}

bool is_listable_state(const std::string& s) {
  const auto& all = listable_states();
  return std::find(all.begin(), all.end(), s) != all.end();
}

std::string failure_reason_key(const std::optional<std::string>& failed_reason) {
  if (!failed_reason) return "(no failedReason)";
  return util::truncate_utf8(failed_reason->substr(0, failed_reason->find('\n')), 300);
}

void group_failures(InspectResult& r, const std::vector<std::pair<std::string, std::optional<std::string>>>& newest_first) {
  std::map<std::string, FailureGroup> groups;
  for (const auto& [id, failed_reason] : newest_first) {
    const std::string reason = failure_reason_key(failed_reason);
    auto& g = groups[reason];
    g.reason = reason;
    ++g.count;
    if (g.sample_ids.size() < 5) g.sample_ids.push_back(id);
  }
  r.failures_sampled = static_cast<std::int64_t>(newest_first.size());
  for (auto& [_, g] : groups) r.failures.push_back(std::move(g));
  std::stable_sort(r.failures.begin(), r.failures.end(),
                   [](const FailureGroup& a, const FailureGroup& b) { return a.count > b.count; });
}

}  // namespace opsctl::queue
