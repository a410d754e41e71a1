#pragma once
// QueueStore over Redis: BullMQ's own key layout, mutations as Lua scripts (lib/queue/redis/lua/).
#include <memory>

#include "queue/store.h"
#include "redis/client.h"

namespace opsctl::queue {

// A store over a client the caller owns (the session's connection), which must outlive it.
std::unique_ptr<QueueStore> redis_store(redis::Client& client);

}  // namespace opsctl::queue
