#pragma once
// The Redis implementation of queue pause / resume (queue/pause.h).
#include "queue/pause.h"
#include "redis/client.h"

namespace opsctl::queue {

MutationResult pause_queue(redis::Client& client, const PauseOptions& options);

MutationResult resume_queue(redis::Client& client, const PauseOptions& options);

}  // namespace opsctl::queue
