#pragma once
// Workers connected to a queue, found the way BullMQ's Queue.getWorkers() finds them: CLIENT LIST
// names equal to <prefix>:<base64(queue)> or starting with <prefix>:<base64(queue)>:w:. Python and
// Elixir workers use the plain queue name instead of base64; both spellings count. QueueEvents
// connections (":qe") are not workers.
#include <optional>
#include <string>
#include <vector>

#include "queue/keys.h"
#include "redis/client.h"

namespace opsctl::queue {

struct WorkerInfo {
  std::string rawname;  // the connection name
  std::string addr;
  std::optional<long long> idle_s;
};

// nullopt when the server forbids CLIENT LIST (managed Redis, ACLs): callers report "unknown".
std::optional<std::vector<WorkerInfo>> list_workers(redis::Client& client, const QueueRef& ref);

// Pure matching on CLIENT LIST text, for tests and for one CLIENT LIST shared by many queues.
std::vector<WorkerInfo> match_workers(const std::string& client_list, const QueueRef& ref);

}  // namespace opsctl::queue
