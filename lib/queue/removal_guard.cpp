#include "queue/removal_guard.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"

namespace opsctl::queue {

QueueShape require_bullmq_queue(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& suffixes) {
  QueueShape shape = detect_shape(client, ref);
  std::string where = queue_target(client, ref);
  if (!shape.exists) {
    throw critical_error(fmt::format("redis {}: queue {} does not exist (no keys under {}); check the queue name "
                                     "and --prefix (opsctl queue list shows the queues)",
                                     client.target().display(), ref.display(), ref.base()));
  }
  if (shape.layout != Layout::bullmq) {
    throw unknown_error(fmt::format("{}: not a BullMQ queue (layout {}); opsctl removes jobs from BullMQ 5/6 "
                                    "queues only", where, to_string(shape.layout)));
  }
  for (const auto& p : shape.problems) {
    auto suffix = p.key.substr(std::min(p.key.size(), ref.base().size()));
    if (std::find(suffixes.begin(), suffixes.end(), suffix) != suffixes.end()) {
      throw unknown_error(fmt::format("{}: {}; nothing was changed, repair or delete that key first", where, p.problem));
    }
  }
  return shape;
}

std::string queue_target(const redis::Client& client, const QueueRef& ref) {
  return client.target().display() + " " + ref.display();
}

}  // namespace opsctl::queue
