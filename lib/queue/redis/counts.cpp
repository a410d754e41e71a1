#include "queue/redis/counts.h"

namespace opsctl::queue {

CountsPlan add_counts_commands(redis::Batch& batch, const QueueRef& ref, const QueueShape& shape) {
  // getJobCounts() names for every layout; Bull keeps a paused queue's jobs in its `paused` list.
  std::vector<std::string> states = bullmq_states();
  if (shape.legacy_paused_list) states.push_back("paused");
  CountsPlan plan;
  for (const auto& state : states) {
    std::string suffix = state_key_suffix(state);
    CountsPlan::State p{state, state == "waiting" || state == "active" || state == "paused", false, 0};
    const std::string& type = shape.key_types.count(suffix) ? shape.key_types.at(suffix) : "none";
    p.countable = type == "none" || shape.key_ok(suffix);
    if (p.countable) {
      p.slot = batch.add({p.list ? "LLEN" : "ZCARD", ref.key(suffix)});
      if (p.list && state != "active") batch.add({"LINDEX", ref.key(suffix), "-1"});
    }
    plan.states.push_back(std::move(p));
  }
  return plan;
}

Counts parse_counts(const redis::Batch& batch, const CountsPlan& plan) {
  Counts counts;
  for (const auto& p : plan.states) {
    if (!p.countable) {
      counts.emplace_back(p.state, std::nullopt);
      continue;
    }
    std::int64_t n = batch.at(p.slot).as_int().value_or(0);
    if (p.list && p.state != "active") {
      // A BullMQ <5 marker id ("0:<n>") at the head of the list is not a job.
      auto head = batch.at(p.slot + 1).as_string();
      if (head && head->rfind("0:", 0) == 0) n = n > 1 ? n - 1 : 0;
    }
    counts.emplace_back(p.state, n);
  }
  return counts;
}

}  // namespace opsctl::queue
