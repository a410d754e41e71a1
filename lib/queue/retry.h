#pragma once
// `queue retry`: finished jobs (failed or completed) back to waiting with the end state of BullMQ's
// Queue.retryJobs({state, timestamp}), in bounded script calls that re-check every job, so a
// concurrent worker never sees a job in two states and a killed opsctl leaves each job in one.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "queue/finished_window.h"
#include "queue/mutation.h"
#include "queue/retry_common.h"
#include "redis/client.h"

namespace opsctl::queue {

struct QueueRetryOptions {
  QueueRef ref;
  std::string state = "failed";               // failed | completed
  std::optional<std::string> name;            // exact job name
  std::optional<std::string> reason;          // ECMAScript regex, searched in failedReason
  std::optional<std::int64_t> older_than_ms;  // finishedOn (the set's score) <= now - older_than
  std::optional<std::int64_t> since_ms;       // finishedOn >= now - since (see finished_window.h)
  std::optional<std::int64_t> limit;          // at most this many jobs matched
  ResetAttempts reset = ResetAttempts::no;
  std::int64_t now_ms = 0;                    // the cutoff is fixed once, at the start
};

// The score range of the state set the options select.
FinishedWindow retry_window(const QueueRetryOptions& options);

// Called with the number of jobs handled so far.
using RetryProgress = std::function<void(std::int64_t done)>;

// What a retry would move: the count and a sample of ids, changing nothing. Without --name or
// --reason it costs two commands; with them it reads name and failedReason of every candidate.
// Throws usage_error for a bad state, regex or window, and open_retry_queue's errors.
MutationResult plan_queue_retry(redis::Client& client, const QueueRetryOptions& options);

// Moves the matching jobs, oldest finishedOn first. Jobs without a hash (or whose key is not a
// hash) stay where they are and are reported as problems; every other job is moved.
MutationResult queue_retry(redis::Client& client, const QueueRetryOptions& options,
                           const RetryProgress& progress = {});

}  // namespace opsctl::queue
