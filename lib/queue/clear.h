#pragma once
// queue clear --state: BullMQ's Queue.clean(grace, limit, state), in bounded batches
// (docs/bullmq-keys.md 5.1). Every removal takes what BullMQ takes with a job: hash, :logs,
// :dependencies, :processed, :failed, :unsuccessful, its dedup entry when it still names the job,
// and its place in a flow parent (a same-queue parent left without pending children goes too,
// another queue's parent moves to wait). One `cleaned` event per script call that removed jobs.
// Batches walk the state oldest first, each deciding on its jobs inside its script call; when
// workers take or add jobs in that state meanwhile, a pass may miss a few entries (it never
// removes one that does not match): running it again finishes the work.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "queue/keys.h"
#include "queue/mutation.h"

namespace opsctl::queue {

// The states `queue clear --state` accepts: completed, failed, waiting, delayed, prioritized, active.
const std::vector<std::string>& clearable_states();
bool is_clearable_state(const std::string& state);

// The states whose jobs sit in a zset scored by finishedOn (completed, failed): the only ones a
// --since window applies to, as a score range. The others are walked from their oldest end, so a
// lower bound on their time would mean examining every job of the state.
const std::vector<std::string>& since_states();
bool takes_since(const std::string& state);

struct ClearOptions {
  QueueRef ref;
  std::string state;          // one of clearable_states()
  std::int64_t cutoff_ms = 0; // jobs whose time (see clear-batch.lua) is at or before this go
  std::int64_t min_ms = 0;    // completed, failed only: and whose finishedOn is at or after this
                              // (--since; see finished_window.h); 0 for every job up to the cutoff
  std::int64_t limit = 0;     // at most this many removals, oldest first; 0: no limit
};

// Throws usage_error for a state clear does not know, or --since on one it does not apply to. Each
// store calls it before anything else: the state then selects fixed code (and SQL) only.
void check_clear_options(const ClearOptions& o);

// Called after each batch with the number of jobs removed (or examined, for a preview) so far.
using ClearProgress = std::function<void(std::int64_t done)>;

}  // namespace opsctl::queue
