#pragma once
// The one guard every mutation passes before touching a queue: it exists, it is a BullMQ queue,
// and the keys the mutation walks have the Redis type BullMQ gives them (a script meeting a key of
// another type would stop half-way). Failures are thrown as Error naming the key and what to do,
// with one exit code per case whichever verb asks.
#include <string>
#include <vector>

#include "queue/redis/layout.h"

namespace opsctl::queue {

// Returns the queue's shape. Throws Error(critical, exit 2) when the queue has no key at all (with
// a "did you mean"), and Error(unknown, exit 3) for a Bull 3/4 or unrecognisable layout or a key of
// the wrong type among suffixes.
QueueShape require_bullmq_queue(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& suffixes);

// "127.0.0.1:6379 bull:emails": the target of a queue mutation, as audit lines and messages show it.
std::string queue_target(const redis::Client& client, const QueueRef& ref);

}  // namespace opsctl::queue
