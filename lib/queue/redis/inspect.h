#pragma once
// The Redis implementation of queue inspect (queue/inspect.h).
#include "queue/inspect.h"
#include "redis/client.h"

namespace opsctl::queue {

// Throws Error(critical) when no key of the queue exists (with a "did you mean" from discovery).
InspectResult inspect_queue(redis::Client& client, const InspectOptions& options);

}  // namespace opsctl::queue
