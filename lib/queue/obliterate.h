#pragma once
// queue clear --all: BullMQ's Queue.obliterate({force}) in bounded batches (docs/bullmq-keys.md 5.2).
// The first batch checks for active jobs and pauses the queue in the same script call, so a refusal
// changes nothing; later batches remove jobs in BullMQ's order and, last, the queue's own keys.
// Flow parents waiting for children, the limiter and orphan dedup keys stay, as with BullMQ.
#include <cstdint>
#include <functional>
#include <string>

#include "queue/keys.h"
#include "queue/mutation.h"

namespace opsctl::queue {

enum class Force { no, yes };  // yes: remove active jobs too (their workers then lose their locks)

struct ObliterateOptions {
  QueueRef ref;
  Force force = Force::no;
};

// The refusal message when active jobs exist and Force::no was given.
std::string active_jobs_refusal(const std::string& target, std::int64_t active);

}  // namespace opsctl::queue
