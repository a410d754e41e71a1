#include "queue/figures.h"

#include <algorithm>
#include <cmath>

namespace opsctl::queue {

std::optional<std::int64_t> plausible(std::optional<std::int64_t> ms) {
  if (ms && (*ms < 0 || *ms > kLatestPlausibleMs)) return std::nullopt;
  return ms;
}

Quantiles quantiles(std::vector<std::int64_t> values) {
  Quantiles q;
  q.samples = static_cast<std::int64_t>(values.size());
  if (values.empty()) return q;
  std::sort(values.begin(), values.end());
  auto rank = [&](double p) {
    auto i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(i, 1, values.size()) - 1];
  };
  q.p50 = rank(0.50);
  q.p95 = rank(0.95);
  q.max = values.back();
  return q;
}

std::int64_t QueueFigures::ready() const {
  return count_of(counts, "waiting") + count_of(counts, "prioritized") + count_of(counts, "paused");
}

std::optional<std::int64_t> QueueFigures::last_finished_ms() const {
  std::optional<std::int64_t> last;
  for (const auto& t : {completed.newest_ms, failed.newest_ms, last_event_finish_ms}) {
    if (t && (!last || *t > *last)) last = t;
  }
  return last;
}

std::int64_t QueueFigures::stalled() const {
  if (shape.layout != Layout::bullmq) return 0;
  return std::count_if(active.begin(), active.end(), [](const ActiveJob& j) { return !j.lock_ttl_ms; });
}

}  // namespace opsctl::queue
