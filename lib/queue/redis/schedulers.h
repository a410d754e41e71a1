#pragma once
// The Redis implementation of the Job Scheduler reads (queue/schedulers.h).
#include "queue/schedulers.h"
#include "redis/client.h"

namespace opsctl::queue {

// Reads the `repeat` zset and each scheduler's hash and next job, in a bounded number of pipelined round
// trips (not one per scheduler). Schedulers are read next run first, so every overdue or broken one
// (their next run lies in the past) is among the first `limit`; `late` counts them all. now_ms is the
// Redis server's clock. Throws Error(critical) when no key of the queue exists, like inspect_queue.
SchedulersResult read_schedulers(redis::Client& client, const QueueRef& ref, const SchedulerOptions& options);

// Cheap figure for many queues at once, to pipeline (`queue list`): ZCOUNT <q>:repeat -inf (now-grace),
// the schedulers whose next run is late by more than grace (overdue or broken, not told apart).
redis::Command overdue_count_command(const QueueRef& ref, std::int64_t now_ms, std::int64_t grace_ms);

// Its reply: the count, or nullopt for an error reply (a `repeat` key of the wrong type).
std::optional<std::int64_t> parse_overdue_count(const redis::Reply& reply);

}  // namespace opsctl::queue
