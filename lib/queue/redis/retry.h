#pragma once
// The Redis implementation of queue retry (queue/retry.h).
#include "queue/retry.h"
#include "queue/redis/retry_common.h"
#include "redis/client.h"

namespace opsctl::queue {

// A retry of checked options (check_retry_options) over one queue, detected once by the first of
// plan() and apply(). plan(): the count and a sample of ids, changing nothing; without --name or
// --reason it costs two commands, with them it reads name and failedReason of every candidate.
// apply(): moves the matching jobs, oldest finishedOn first; jobs without a hash (or whose key is
// not a hash) stay where they are and are reported as problems; cut off mid-way it throws
// Interrupted. Both throw open_retry_queue's errors; their results name action and target.
std::unique_ptr<mutation::Operation> open_queue_retry(redis::Client& client, QueueRetryOptions options);

}  // namespace opsctl::queue
