#pragma once
// A queue's shape read from Redis: TYPE of each key and the meta hash (queue/layout.h).
#include "queue/layout.h"
#include "redis/batch.h"
#include "redis/client.h"

namespace opsctl::queue {

QueueShape detect_shape(redis::Client& client, const QueueRef& ref);

// The same in two halves, so many queues share one pipeline: add_shape_commands() queues the
// commands and returns the first slot; parse_shape() reads them back after Batch::run().
std::size_t add_shape_commands(redis::Batch& batch, const QueueRef& ref);

QueueShape parse_shape(const redis::Batch& batch, std::size_t first, const QueueRef& ref);

}  // namespace opsctl::queue
