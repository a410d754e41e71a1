#pragma once
// The Redis implementation of the queue figures (queue/figures.h): any number of queues in a few
// shared pipelines (probe.cpp).
#include "queue/figures.h"
#include "redis/client.h"

namespace opsctl::queue {

// Reads every queue's figures in three pipelined round trips in all (TIME and CLIENT LIST once).
// Queues that do not exist come back with shape.exists == false and nothing else read.
std::vector<QueueFigures> probe_queues(redis::Client& client, const std::vector<QueueRef>& refs,
                                       const ProbeOptions& options);

}  // namespace opsctl::queue
