#pragma once
// The Redis implementation of queue promote and job promote (queue/promote.h).
#include "queue/promote.h"
#include "redis/client.h"

namespace opsctl::queue {

MutationResult promote_delayed(redis::Client& client, const PromoteOptions& options);

MutationResult promote_jobs(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& ids,
                            DryRun dry_run);

}  // namespace opsctl::queue
