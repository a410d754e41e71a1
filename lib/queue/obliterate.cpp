#include "queue/obliterate.h"

#include <fmt/format.h>

namespace opsctl::queue {

std::string active_jobs_refusal(const std::string& target, std::int64_t active) {
  return fmt::format("queue.clear --all: {} has {} active job{} (being processed by workers); refusing to "
                     "obliterate it, nothing changed. Stop the workers first, or pass --force to remove "
                     "active jobs too (their workers then fail with \"Missing lock\")",
                     target, active, active == 1 ? "" : "s");
}

}  // namespace opsctl::queue
