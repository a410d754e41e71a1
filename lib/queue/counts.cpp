#include "queue/counts.h"

namespace opsctl::queue {

Counts get_counts(redis::Client& client, const QueueRef& ref, const QueueShape& shape) {
  // getJobCounts() names for every layout; Bull keeps a paused queue's jobs in its `paused` list.
  std::vector<std::string> states = bullmq_states();
  if (shape.legacy_paused_list) states.push_back("paused");

  struct Plan {
    std::string state;
    bool list;
    bool countable;
  };
  std::vector<Plan> plan;
  std::vector<redis::Command> cmds;
  for (const auto& state : states) {
    std::string suffix = state_key_suffix(state);
    bool list = state == "waiting" || state == "active" || state == "paused";
    const std::string& type = shape.key_types.count(suffix) ? shape.key_types.at(suffix) : "none";
    bool countable = type == "none" || shape.key_ok(suffix);
    plan.push_back({state, list, countable});
    if (!countable) continue;
    cmds.push_back({list ? "LLEN" : "ZCARD", ref.key(suffix)});
    if (list && state != "active") cmds.push_back({"LINDEX", ref.key(suffix), "-1"});
  }
  auto replies = client.pipeline(cmds);

  Counts counts;
  std::size_t r = 0;
  for (const auto& p : plan) {
    if (!p.countable) {
      counts.emplace_back(p.state, std::nullopt);
      continue;
    }
    std::int64_t n = replies[r++].as_int().value_or(0);
    if (p.list && p.state != "active") {
      // A BullMQ <5 marker id ("0:<n>") at the head of the list is not a job.
      auto head = replies[r++].as_string();
      if (head && head->rfind("0:", 0) == 0) n = n > 1 ? n - 1 : 0;
    }
    counts.emplace_back(p.state, n);
  }
  return counts;
}

std::int64_t count_of(const Counts& counts, const std::string& state) {
  for (const auto& [s, n] : counts) {
    if (s == state) return n.value_or(0);
  }
  return 0;
}

}  // namespace opsctl::queue
