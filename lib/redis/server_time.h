#pragma once
// The Redis server's clock, for judgements against times BullMQ wrote with the same clock
// (scheduler next runs, delayed scores): the local clock of the machine running opsctl may drift.
#include <cstdint>

#include "redis/client.h"

namespace opsctl::redis {

// Milliseconds since the epoch from TIME. Throws Error(unknown) on a reply that is not TIME's shape.
std::int64_t server_time_ms(Client& client);

}  // namespace opsctl::redis
