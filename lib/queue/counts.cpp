#include "queue/counts.h"

namespace opsctl::queue {

std::int64_t count_of(const Counts& counts, const std::string& state) {
  for (const auto& [s, n] : counts) {
    if (s == state) return n.value_or(0);
  }
  return 0;
}

}  // namespace opsctl::queue
