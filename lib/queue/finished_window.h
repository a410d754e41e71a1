#pragma once
// The finishedOn window of `queue retry` and `queue clear` on the finished states (completed,
// failed): --since and --older-than as a score range of the state zset, so Redis serves it with
// ZRANGEBYSCORE/ZCOUNT in O(log n + matched), never a scan. "now" is fixed once by the caller.
#include <cstdint>
#include <optional>
#include <string>

namespace opsctl::queue {

struct FinishedWindow {
  std::int64_t min_score = 0;  // finishedOn >= min_score (now - since); 0 without --since
  std::int64_t max_score = 0;  // finishedOn <= max_score (now - older_than); now without it
};

// now - since <= finishedOn <= now - older_than, both bounds inclusive; a min before the epoch is
// 0. Throws usage_error for --since 0 and for since <= older_than (an empty window), naming both.
FinishedWindow finished_window(std::int64_t now_ms, std::optional<std::int64_t> since_ms,
                               std::optional<std::int64_t> older_than_ms);

// What the preview, dry run and audit line call the jobs a --since selects, with the durations
// as typed: "failed jobs finished within 15m", "failed jobs finished between 2h and 15m ago".
// older_than empty: no --older-than.
std::string since_phrase(const std::string& state, const std::string& since, const std::string& older_than);

}  // namespace opsctl::queue
