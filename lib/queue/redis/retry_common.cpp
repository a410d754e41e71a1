#include "queue/redis/retry_common.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/redis/guard.h"
#include "queue/redis/discovery.h"
#include "util/text.h"

namespace opsctl::queue {

RetryQueue open_retry_queue(redis::Client& client, const QueueRef& ref) {
  // Keys a retry reads or writes: a wrong type there would fail a script half-way.
  static const std::vector<std::string> written = {"failed", "completed", "wait",   "paused", "meta",
                                                   "active", "marker",    "events", "prioritized"};
  RetryQueue q{ref, require_bullmq_queue(client, ref, written), false};
  q.legacy_paused_list = uses_legacy_paused_list(q.shape.version);
  return q;
}

bool uses_legacy_paused_list(const std::optional<std::string>& version) {
  constexpr std::string_view tag = "bullmq:";
  if (!version || version->compare(0, tag.size(), tag) != 0) return true;
  std::string rest = version->substr(tag.size());
  auto major = util::parse_int(rest.substr(0, rest.find('.')));
  return !major || *major < 6;
}

PageCursor next_cursor(const PageCursor& cursor, const std::vector<PageEntry>& page) {
  if (page.empty()) return cursor;
  PageCursor next{page.back().score, 0};
  for (const auto& e : page) {
    if (e.stays && e.score == next.min_score) ++next.offset;
  }
  // The jobs skipped before this page at the same score are still there, ahead of it.
  if (next.min_score == cursor.min_score) next.offset += cursor.offset;
  return next;
}

void BatchSizer::observe(double server_ms) {
  if (server_ms > budget_ms) {
    size_ = std::max(min_, size_ / 2);
    quick_calls_ = 0;
  } else if (server_ms >= budget_ms / 2) {
    quick_calls_ = 0;
  } else if (size_ < initial_ && ++quick_calls_ >= 10) {
    size_ = std::min(initial_, size_ * 2);
    quick_calls_ = 0;
  }
}

}  // namespace opsctl::queue
