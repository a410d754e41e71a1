#pragma once
// `job unstick`: active jobs whose worker is gone (no <job>:lock: BullMQ sets the lock atomically
// with the move to active, so a lock-less active job has no owner), and optionally jobs running for
// longer than a cutoff even though locked, back to waiting as BullMQ's stalled-job checker moves them,
// or to failed. The active list is read a page at a time; each page's candidates go to one script
// call that re-checks the lock, the state and the hash of every id before moving it. Each move is an
// LREM on active, O(the job's position), as in BullMQ's own stalled checker: active holds at most
// the workers' total concurrency.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "queue/mutation.h"

namespace opsctl::queue {

enum class UnstickTarget { wait, failed };

// The failedReason written by --to failed.
inline constexpr const char* unstick_failed_reason =
    "job stalled: its worker stopped renewing the lock (moved by opsctl job unstick)";

struct UnstickOptions {
  QueueRef ref;
  UnstickTarget to = UnstickTarget::wait;
  std::optional<std::int64_t> started_before_ms;  // --older-than: also locked jobs with processedOn before this
  std::optional<std::int64_t> limit;
  std::int64_t now_ms = 0;                        // finishedOn of --to failed
  DryRun dry_run = DryRun::no;
  std::size_t page = 1000;
  std::function<void(std::int64_t)> progress;
};

}  // namespace opsctl::queue
