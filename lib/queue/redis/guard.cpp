#include "queue/redis/guard.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/redis/discovery.h"
#include "util/text.h"

namespace opsctl::queue {

QueueShape require_bullmq_queue(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& suffixes) {
  QueueShape shape = detect_shape(client, ref);
  const std::string server = client.target().display();
  if (!shape.exists) {
    std::string hint = util::closest_match(ref.name, discover_queues(client, ref.prefix));
    throw critical_error(fmt::format("redis {}: queue '{}' not found under prefix '{}'{}", server, ref.name, ref.prefix,
                                     hint.empty() ? " (opsctl queue list shows the queues)"
                                                  : fmt::format(" (did you mean '{}'?)", hint)));
  }
  const std::string where = fmt::format("redis {}: queue {}", server, ref.display());
  if (shape.layout == Layout::bull) {
    throw unknown_error(fmt::format("{} is a Bull (v3/v4) queue: opsctl changes BullMQ 5/6 queues only; nothing "
                                    "changed", where));
  }
  if (shape.layout != Layout::bullmq) {
    throw unknown_error(fmt::format("{}: layout not recognised as BullMQ (see opsctl queue inspect); nothing changed",
                                    where));
  }
  for (const auto& p : shape.problems) {
    auto suffix = p.key.substr(std::min(p.key.size(), ref.base().size()));
    if (std::find(suffixes.begin(), suffixes.end(), suffix) != suffixes.end()) {
      throw unknown_error(fmt::format("{}: {}; nothing changed (repair or remove that key first)", where, p.problem));
    }
  }
  return shape;
}

std::string queue_target(const redis::Client& client, const QueueRef& ref) {
  return client.target().display() + " " + ref.display();
}

}  // namespace opsctl::queue
