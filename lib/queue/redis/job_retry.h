#pragma once
// The Redis implementation of job retry (queue/job_retry.h).
#include "queue/job_retry.h"
#include "queue/redis/retry_common.h"
#include "redis/client.h"

namespace opsctl::queue {

// Per id: "would retry", "not found" or "refused" with the state it is in. Changes nothing.
MutationResult plan_job_retry(redis::Client& client, const JobRetryOptions& options);

// Per id: "retried", "not found" (no job hash), "skipped" (the key is not a hash) or "refused"
// ("not in failed/completed (state active)"). matched counts the ids that were retryable.
MutationResult job_retry(redis::Client& client, const JobRetryOptions& options);

// Where a job id is, checked in BullMQ's getJobState order: "completed", "failed", "delayed",
// "prioritized", "active", "waiting" (wait or the legacy paused list), "waiting-children", or
// "unknown". One pipelined round trip for all ids.
std::vector<std::string> job_states(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& ids);

}  // namespace opsctl::queue
