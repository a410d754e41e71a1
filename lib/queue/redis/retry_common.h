#pragma once
// What `queue retry` and `job retry` share: the checks that refuse a queue opsctl must not write
// to, where a paused queue keeps its jobs, the page cursor over a state set, and the batch size.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "queue/keys.h"
#include "queue/redis/layout.h"
#include "redis/client.h"

namespace opsctl::queue {

// Two-value enum instead of a bare bool: also delete atm and ats, as Job.retry's reset flags do.
struct RetryQueue {
  QueueRef ref;
  QueueShape shape;
  // A paused queue of this version keeps ready jobs in the legacy `paused` list (BullMQ 5 or an
  // unknown version), not in `wait` (BullMQ 6). Decided again inside each script call.
  bool legacy_paused_list = false;
};

// Detects the queue and refuses what a retry must not touch. Throws Error: critical when no key of
// the queue exists (with a "did you mean"), unknown for a Bull 3/4 or unrecognised layout or when
// one of the keys a retry writes has the wrong type.
RetryQueue open_retry_queue(redis::Client& client, const QueueRef& ref);

// True unless version says BullMQ 6 or later ("bullmq:6.7.0"); BullMQ Pro and a missing version
// count as legacy, the safe side (docs/bullmq-keys.md section 2).
bool uses_legacy_paused_list(const std::optional<std::string>& version);

// Where the next page of a state set starts: ZRANGEBYSCORE <min_score> <max> LIMIT <offset> n.
// Jobs moved away leave the set; the ones passed over (filtered out, skipped) stay, and all of
// them sit before the cursor. Keeping the offset relative to the last score seen means a
// concurrent change elsewhere in the set can shift nothing but the jobs of that one score.
struct PageCursor {
  std::string min_score = "0";
  std::int64_t offset = 0;
};

struct PageEntry {
  std::string score;  // as Redis printed it
  bool stays = false; // still in the set after this page was handled
};

// The cursor after a page was handled; `page` in set order. An empty page keeps the cursor.
PageCursor next_cursor(const PageCursor& cursor, const std::vector<PageEntry>& page);

// Jobs per script call. A retried job costs Redis 3-5 microseconds (measured: bench/retry), so the
// initial size keeps a call around 1 ms; a call over the budget halves the size (a slow server,
// huge job hashes), and ten calls in a row under half of it let the size double back, never above
// the initial one. Even two calls run back to back stay well under 5 ms, the most one script call may hold
// Redis (the bounded batches of opsctl(1), MUTATIONS).
class BatchSizer {
 public:
  explicit BatchSizer(std::int64_t initial = 250, std::int64_t minimum = 25)
      : initial_(initial), size_(initial), min_(minimum) {}
  std::int64_t size() const { return size_; }
  // server_ms: how long the last call kept Redis busy (the script measures it with TIME).
  void observe(double server_ms);
  static constexpr double budget_ms = 3.0;

 private:
  std::int64_t initial_, size_, min_;
  int quick_calls_ = 0;
};

}  // namespace opsctl::queue
