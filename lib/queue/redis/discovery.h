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

// The Error(critical) of a verb run on a queue with no key: names the target and suggests the
// closest queue name under the prefix ("did you mean"), else `opsctl queue list`.
[[noreturn]] void throw_queue_not_found(redis::Client& client, const std::string& prefix, const std::string& name);

}  // namespace opsctl::queue
