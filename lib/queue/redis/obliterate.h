#pragma once
// The Redis implementation of queue clear --all (queue/obliterate.h).
#include "queue/obliterate.h"
#include "redis/client.h"

namespace opsctl::queue {

// What obliterating would remove: matched = jobs in active, delayed, completed, wait, paused,
// prioritized and failed; a sample of their ids. `active` gets the number of active jobs.
MutationResult preview_obliterate(redis::Client& client, const ObliterateOptions& o, std::int64_t& active);

// Obliterates. Throws Error(not_done) when active jobs exist without Force::yes (nothing changed),
// Error(critical) when the queue is resumed or gains active jobs half-way (it stays paused).
MutationResult obliterate_queue(redis::Client& client, const ObliterateOptions& o,
                                const std::function<void(std::int64_t done)>& progress = {});

}  // namespace opsctl::queue
