#pragma once
// The Redis implementation of queue clear --state (queue/clear.h).
#include "queue/clear.h"
#include "redis/client.h"

namespace opsctl::queue {

// Counts what clear_jobs would remove, changing nothing. DryRun::yes examines every job (the
// same decisions as the removal script, problems included); DryRun::no counts completed and
// failed jobs by score only (ZCOUNT), since the removal re-checks each job anyway.
MutationResult preview_clear(redis::Client& client, const ClearOptions& o, DryRun mode,
                             const ClearProgress& progress = {});

// Removes the jobs, batch by batch; each job leaves in one script call.
MutationResult clear_jobs(redis::Client& client, const ClearOptions& o, const ClearProgress& progress = {});

}  // namespace opsctl::queue
