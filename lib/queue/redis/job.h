#pragma once
// The Redis implementation of job show (queue/job.h).
#include "queue/job.h"
#include "redis/client.h"

namespace opsctl::queue {

// Reads the job: hash, its state (checked in every state structure), the last log lines and, for
// active jobs, the lock. Returns nullopt when the id is neither a hash nor in any state.
std::optional<JobDetail> load_job(redis::Client& client, const QueueRef& ref, const QueueShape& shape,
                                  const std::string& id, std::size_t max_logs = 100);

}  // namespace opsctl::queue
