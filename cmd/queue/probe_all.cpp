#include "cmd/queue/probe_all.h"

#include <map>

namespace opsctl::cmd {

std::vector<ListedQueue> probe_prefix(Session& s, const ThresholdFlags& flags, const std::string& prefix, std::int64_t sample) {
  auto& store = s.queues();
  std::vector<queue::QueueRef> refs;
  std::vector<queue::Thresholds> thresholds;
  for (const auto& name : store.discover(prefix)) {
    refs.push_back({prefix, name});
    thresholds.push_back(resolve_thresholds(s, flags, name));
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
    po.processing_sample = static_cast<std::size_t>(sample);
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
  return queues;
}

}  // namespace opsctl::cmd
