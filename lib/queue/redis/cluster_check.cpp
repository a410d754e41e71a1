#include "queue/redis/cluster_check.h"

#include <fmt/format.h>

#include "core/error.h"
#include "redis/cluster_slots.h"
#include "util/redact.h"

namespace opsctl::queue {

void require_one_slot(const redis::Client& client, const QueueRef& ref) {
  if (!client.is_cluster()) return;
  const std::string meta = ref.key("meta");
  const int slot = redis::key_slot(meta);
  // A job hash stands for every job key: <prefix>:<queue>:<id> hashes like the state keys.
  for (const std::string& other : {ref.key("wait"), ref.key("events"), ref.job_key("1")}) {
    const int s = redis::key_slot(other);
    if (s == slot) continue;
    throw Error(ExitCode::usage, ErrorKind::usage,
                util::redact(fmt::format(
                    "redis {}: the keys of queue {} hash to different slots of the Redis Cluster ({} in slot {}, {} in "
                    "slot {}); BullMQ on Redis Cluster needs a hash tag in the prefix, e.g. --prefix '{{{}}}' or a "
                    "queue name in braces",
                    client.target().display(), ref.display(), meta, slot, other, s,
                    ref.prefix.empty() ? "bull" : ref.prefix)));
  }
}

}  // namespace opsctl::queue
