#pragma once
// Finds the queues under a prefix with SCAN (never KEYS): keys <prefix>:<queue>:meta (hash) and
// <prefix>:<queue>:id (string), checked to really be queue keys (BullMQ meta fields, integer id).
#include <chrono>
#include <string>
#include <vector>

#include "redis/client.h"

namespace opsctl::queue {

// Queue names under prefix, sorted. Names containing ':' are ignored (BullMQ forbids them; such
// matches are job sub-keys like <q>:de:<id>:meta), and so are BullMQ's <prefix>::relay: keys.
std::vector<std::string> discover_queues(redis::Client& client, const std::string& prefix);

// The queue name inside key <prefix>:<name>:<suffix>, or "" when key does not have that shape.
std::string queue_name_from_key(const std::string& key, const std::string& prefix, const std::string& suffix);

}  // namespace opsctl::queue
