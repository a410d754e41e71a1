#pragma once
// `queue pause` / `queue resume`: Queue.pause() and Queue.resume() of the BullMQ version that owns the
// queue (see state_common.h for how it is chosen), without BullMQ 5's RENAME hazard: ids pushed to
// wait during a pause are merged, never overwritten. Moving a paused list is done in calls of at most
// 7000 ids, looped until done.
//
// Result: matched = 1 when the queue is not yet in the asked state (or still has a list to merge),
// else 0. details: layout, layout_reason, paused_before, jobs (waiting + prioritized jobs that became
// unavailable or available to workers), jobs_moved (ids moved between wait and paused), calls.
#include <cstdint>
#include <functional>

#include "queue/mutation.h"

namespace opsctl::queue {

struct PauseOptions {
  QueueRef ref;
  DryRun dry_run = DryRun::no;
  std::function<void(std::int64_t)> progress;  // ids moved so far (resume of a large paused list)
};

}  // namespace opsctl::queue
