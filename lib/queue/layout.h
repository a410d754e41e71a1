#pragma once
// What kind of queue sits under <prefix>:<queue>: BullMQ, legacy Bull 3/4, or unrecognisable, and
// whether any of its keys has the wrong Redis type. One pipelined round trip of TYPE commands.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "queue/keys.h"

namespace opsctl::queue {

enum class Layout { bullmq, bull, unknown };
std::string to_string(Layout l);

struct QueueShape {
  Layout layout = Layout::unknown;
  bool exists = false;                 // any of the queue's keys exists
  std::optional<std::string> version;  // meta.version, e.g. "bullmq:6.7.0"
  bool paused = false;
  bool legacy_paused_list = false;     // a BullMQ queue that still has a v5 `paused` list
  std::optional<long long> concurrency;  // meta.concurrency (global concurrency)
  std::map<std::string, std::string> key_types;  // suffix -> Redis TYPE ("none" when absent)
  std::vector<Problem> problems;       // keys of the wrong type
  bool key_ok(const std::string& suffix) const;  // exists with the expected type
};

}  // namespace opsctl::queue
