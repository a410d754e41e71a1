#pragma once
// Job counts read from Redis exactly as BullMQ's Queue.getJobCounts() computes them (getCounts-1.lua):
// lists by LLEN (minus a legacy "0:" marker id at the head of wait/paused), sets by ZCARD.
#include "queue/counts.h"
#include "queue/redis/layout.h"
#include "redis/batch.h"

namespace opsctl::queue {

// Counting comes in two halves, so many queues share one pipeline (see add_shape_commands): the
// commands added to a batch, then the counts read from its replies.
struct CountsPlan {
  struct State {
    std::string state;
    bool list = false, countable = false;
    std::size_t slot = 0;  // LLEN/ZCARD; lists but active also LINDEX -1 at slot + 1
  };
  std::vector<State> states;
};
CountsPlan add_counts_commands(redis::Batch& batch, const QueueRef& ref, const QueueShape& shape);
Counts parse_counts(const redis::Batch& batch, const CountsPlan& plan);

}  // namespace opsctl::queue
