#pragma once
// Workers connected to a queue, found the way BullMQ's Queue.getWorkers() finds them: CLIENT LIST
// names equal to <prefix>:<base64(queue)> or starting with <prefix>:<base64(queue)>:w:. Python and
// Elixir workers use the plain queue name instead of base64; both spellings count. QueueEvents
// connections (":qe") are not workers.
#include <optional>
#include <string>
#include <vector>

#include "queue/keys.h"

namespace opsctl::queue {

struct WorkerInfo {
  std::string rawname;  // the connection name
  std::string addr;
  std::optional<long long> idle_s;
};

// Pure matching on CLIENT LIST text, so one CLIENT LIST serves many queues. A server that forbids
// CLIENT LIST (managed Redis, ACLs) gives no text: callers then report the workers as unknown.
std::vector<WorkerInfo> match_workers(const std::string& client_list, const QueueRef& ref);
// On a Redis Cluster, one CLIENT LIST per node: like BullMQ's getWorkers(), the workers of the node
// with the most of them (a worker connects to every node it uses).
std::vector<WorkerInfo> match_workers(const std::vector<std::string>& client_lists, const QueueRef& ref);

}  // namespace opsctl::queue
