#pragma once
// The Redis implementation of job unstick (queue/unstick.h).
#include "queue/unstick.h"
#include "redis/client.h"

namespace opsctl::queue {

// details: layout, to, locked (active jobs left alone because a live worker holds their lock).
MutationResult unstick_jobs(redis::Client& client, const UnstickOptions& options);

}  // namespace opsctl::queue
