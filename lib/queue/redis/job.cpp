#include "queue/redis/job.h"

#include <fmt/format.h>

namespace opsctl::queue {
namespace {

// Where a job id can be, in the order BullMQ's getJobState checks them.
struct StateProbe {
  const char* state;
  const char* suffix;
  bool list;
};
constexpr StateProbe probes[] = {
    {"completed", "completed", false}, {"failed", "failed", false},   {"delayed", "delayed", false},
    {"prioritized", "prioritized", false}, {"active", "active", true}, {"waiting", "wait", true},
    {"waiting", "paused", true},       {"waiting-children", "waiting-children", false},
};

}  // namespace

std::optional<JobDetail> load_job(redis::Client& client, const QueueRef& ref, const QueueShape& shape,
                                  const std::string& id, std::size_t max_logs) {
  std::string job_key = ref.job_key(id);
  std::vector<redis::Command> cmds{{"HGETALL", job_key}};
  for (const auto& p : probes) {
    cmds.push_back(p.list ? redis::Command{"LPOS", ref.key(p.suffix), id}
                          : redis::Command{"ZSCORE", ref.key(p.suffix), id});
  }
  cmds.push_back({"LLEN", job_key + ":logs"});
  cmds.push_back({"LRANGE", job_key + ":logs", fmt::format("-{}", max_logs), "-1"});
  cmds.push_back({"PTTL", job_key + ":lock"});
  auto replies = client.pipeline(cmds);

  JobDetail d;
  d.id = id;
  const auto& hash = replies[0];
  if (hash.is_error()) {
    d.problems.push_back({id, job_key, "", fmt::format("job key {} is not a hash: {}", job_key, hash.str)});
  } else if (!hash.elements.empty()) {
    d.has_hash = true;
    std::vector<std::pair<std::string, std::string>> fields;
    for (std::size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
      fields.emplace_back(hash.elements[i].str, hash.elements[i + 1].str);
    }
    parse_job_hash(fields, d);
  }
  bool found_state = false;
  for (std::size_t i = 0; i < std::size(probes); ++i) {
    const auto& r = replies[1 + i];
    if (r.is_error() || r.is_nil() || !shape.key_ok(probes[i].suffix)) continue;
    d.state = probes[i].state;
    found_state = true;
    break;
  }
  std::size_t at = 1 + std::size(probes);
  if (!d.has_hash && !found_state && !hash.is_error()) return std::nullopt;
  if (!d.has_hash && !hash.is_error()) {
    d.problems.push_back({id, job_key, "",
                          fmt::format("id {} is in {} but has no job hash (orphan id: a worker would run it with "
                                      "no name and empty data)", id, d.state)});
  }
  if (d.has_hash && !found_state) {
    d.problems.push_back({id, job_key, "",
                          shape.problems.empty()
                              ? "job hash exists but the id is in no state list or set (orphan hash)"
                              : "state unknown: a state key of this queue has the wrong type (see queue inspect)"});
  }
  d.log_count = replies[at].as_int().value_or(0);
  for (const auto& line : replies[at + 1].elements) d.logs.push_back(line.str);
  auto pttl = replies[at + 2].as_int().value_or(-2);
  if (pttl >= -1) d.lock_ttl_ms = pttl;  // -1: a lock without expiry
  if (d.state == "active" && !d.lock_ttl_ms && shape.layout == Layout::bullmq) {
    d.problems.push_back({id, job_key + ":lock", "",
                          "active without a lock: its worker is gone (stalled job)"});
  }
  return d;
}

}  // namespace opsctl::queue
