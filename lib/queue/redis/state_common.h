#pragma once
// What the queue-state verbs (pause, resume, promote, unstick) share: which BullMQ generation's
// paused layout a queue uses, the checks before any of them writes, and the problems their Lua
// scripts return.
#include <string>
#include <vector>

#include "queue/redis/layout.h"
#include "queue/redis/guard.h"
#include "queue/mutation.h"

namespace opsctl::queue {

// BullMQ 6 pauses with meta.paused alone; BullMQ 5 (and older) also renames wait to paused, and its
// own resume renames it back. "legacy" is also the safe choice when the version is unknown: BullMQ 6
// resumes a paused list too, whereas BullMQ 5 would overwrite the jobs of a queue paused BullMQ 6's way.
enum class PauseLayout { v6, legacy };

struct LayoutChoice {
  PauseLayout layout = PauseLayout::legacy;
  std::string name;    // "bullmq6" or "bullmq5", shown in the output
  std::string reason;  // why: "meta.version bullmq:6.7.0"
  std::string lua_mode() const { return layout == PauseLayout::v6 ? "v6" : "legacy"; }
};

// From meta.version: bullmq:6 and later -> v6; anything else (bullmq:5, bullmq-pro, none) -> legacy.
LayoutChoice choose_layout(const QueueShape& shape);

// The queue's shape, after refusing (Error) a queue that does not exist, a Bull 3/4 queue, or one
// whose keys among `suffixes` have the wrong Redis type (a script would fail on them half-way).
QueueShape checked_shape(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& suffixes);

// A script reply {{moved ids}, id1, problem1, id2, problem2, ...}: returns the moved ids, appends
// the problems.
std::vector<std::string> read_script_reply(const redis::Reply& reply, const QueueRef& ref, std::vector<Problem>& problems);

}  // namespace opsctl::queue
