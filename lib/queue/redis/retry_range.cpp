// `queue retry` without --name/--reason: the script reads each page of the state set itself, so no
// id travels twice, and two calls stay in flight so that Redis starts the next batch as soon as it
// finishes one instead of waiting a network round trip (which matters most on a remote Redis).
#include <algorithm>
#include <cstdint>
#include <deque>

#include "queue/redis/lua_scripts.h"
#include "queue/redis/retry_batch.h"

namespace opsctl::queue {
namespace {

constexpr std::size_t window_depth = 2;

struct InFlight {
  PageCursor cursor;  // the cursor the call reads its page at
  std::int64_t count = 0;
};

}  // namespace

// A call sent before the reply of the previous one reads at an older cursor: jobs that call skipped
// are read again (Tally reports them once) and none is missed, since every job before a cursor has
// been moved or skipped. The cursor is always computed from the page a reply actually read.
void retry_range(redis::Client& client, const RetryQueue& q, const QueueRetryOptions& o, MutationResult& res,
                 const RetryProgress& progress) {
  BatchSizer sizer;
  Tally tally(res, q, o.state);
  std::deque<InFlight> window;
  PageCursor cursor{std::to_string(retry_window(o).min_score), 0};
  bool end = false;
  int reloads = 0;
  std::vector<redis::Reply> errors;

  auto handle = [&](const InFlight& call, redis::Reply&& reply) {
    if (reply.is_error()) {
      errors.push_back(std::move(reply));
      return;
    }
    BatchReply b = parse_batch(std::move(reply));
    sizer.observe(b.server_ms);
    tally.add(b);
    if (b.considered > 0) {
      // Only the skipped jobs stay in the set; the page ended at last_score.
      std::vector<PageEntry> entries;
      for (const auto& n : b.notes) {
        if (n.code < 0) entries.push_back({n.score, true});
      }
      entries.push_back({b.last_score, false});
      cursor = next_cursor(call.cursor, entries);
    }
    if (b.considered < call.count) end = true;
    if (progress) progress(res.matched);
  };

  for (;;) {
    std::int64_t queued = 0;
    for (const auto& c : window) queued += c.count;
    while (!end && window.size() < window_depth) {
      std::int64_t left = o.limit ? *o.limit - res.matched - queued : INT64_MAX;
      std::int64_t count = std::min(sizer.size(), left);
      if (count <= 0) break;
      client.send(batch_command(client, q, o, tally.sample_wanted(),
                                {"range", cursor.min_score, std::to_string(cursor.offset), std::to_string(count)}));
      window.push_back({cursor, count});
      queued += count;
    }
    if (window.empty()) break;
    InFlight call = window.front();
    window.pop_front();
    handle(call, client.receive());
    if (errors.empty()) continue;
    // Collect the calls still in flight so the connection is clean, then reload or give up.
    while (!window.empty()) {
      InFlight rest = window.front();
      window.pop_front();
      handle(rest, client.receive());
    }
    for (const auto& e : errors) {
      if (!is_noscript(e) || reloads >= 3) redis::throw_reply_error(client.target(), {"EVALSHA", q.ref.key(o.state)}, e.str);
    }
    ++reloads;
    errors.clear();
    client.command({"SCRIPT", "LOAD", std::string(lua::queue_retry)});
  }
}

}  // namespace opsctl::queue
