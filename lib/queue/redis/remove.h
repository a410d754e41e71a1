#pragma once
// job remove: BullMQ's Queue.remove(id, {removeChildren: true}) for each id (docs/bullmq-keys.md
// 5.3): one script call per id, children removed recursively, a `removed` event with the state the
// job was in, and a flow parent left with no pending children released to wait. A job locked by a
// worker (or with a locked pending child) and a Job Scheduler's current job are refused; one id's
// refusal never stops the others.
#include <string>
#include <vector>

#include "queue/keys.h"
#include "queue/mutation.h"
#include "redis/client.h"

namespace opsctl::queue {

// DryRun::yes checks each id (same script, nothing changed): results say "would remove" or why not.
MutationResult remove_jobs(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& ids,
                           DryRun mode);

}  // namespace opsctl::queue
