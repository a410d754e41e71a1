#pragma once
// BullMQ on a Redis Cluster works only when every key of a queue hashes to one slot: a hash tag in
// the prefix ({bull}) or in the queue name. Checked before any queue operation, so a prefix without
// one is explained up front instead of failing with CROSSSLOT half-way.
#include "queue/keys.h"
#include "redis/client.h"

namespace opsctl::queue {

// Nothing on a plain Redis. On a cluster, throws Error(usage, exit 64) naming the queue, the two
// slots and the fix when <prefix>:<queue>:meta and the other keys hash to different slots.
void require_one_slot(const redis::Client& client, const QueueRef& ref);

}  // namespace opsctl::queue
