#pragma once
// The time-aware figures of a queue, read in a few pipelined round trips at a cost that depends on
// the sample sizes, never on how many jobs the queue retains: windowed counts by score (ZCOUNT),
// the newest finished jobs, the first active jobs and their locks, the oldest waiting job, BullMQ's
// metrics keys, the events stream's newest finish, the rate limiter and the Job Schedulers' overdue
// count. Many queues share the same three pipelines, so `queue list` over 200 queues costs what one
// queue costs, plus bandwidth.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "queue/counts.h"
#include "queue/layout.h"
#include "queue/workers.h"

namespace opsctl::queue {

// Times later than this (year 5138) are not times BullMQ wrote.
inline constexpr std::int64_t kLatestPlausibleMs = 100'000'000'000'000;
// The limiter count Queue.rateLimit() sets: a queue rate-limited by hand until the key expires.
inline constexpr std::int64_t kManualRateLimitCount = 9007199254740991;
// A time BullMQ wrote (a hash field, a score, a column), or nullopt when absent or garbage
// (negative, past kLatestPlausibleMs), so that no arithmetic on it can overflow.
std::optional<std::int64_t> plausible(std::optional<std::int64_t> ms);

struct ProbeOptions {
  std::int64_t window_ms = 15 * 60 * 1000;    // failures, throughput and processing time
  std::size_t processing_sample = 200;        // newest completed jobs in the window
  std::size_t active_sample = 1000;           // first active jobs checked for age and lock
  std::int64_t scheduler_grace_ms = 60 * 1000;
  std::int64_t local_now_ms = 0;              // this machine's clock, compared with the server's
};

// One finished state (completed or failed) within the window.
struct FinishedFigures {
  std::int64_t retained = 0;                  // jobs kept in the set (ZCARD)
  std::int64_t in_window = 0;                 // finished within the window
  bool exact = false;                         // false: a lower bound (retention trimmed the window)
  std::string source = "set";                 // set | metrics | lower-bound
  std::optional<std::int64_t> newest_ms, oldest_ms;  // finishedOn of the newest/oldest retained
};

struct ActiveJob {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::int64_t> processed_on;
  std::optional<std::int64_t> lock_ttl_ms;   // nullopt: no lock (the worker is gone); -1: no expiry
};

// Nearest-rank quantiles in milliseconds over `samples` values.
struct Quantiles {
  std::int64_t samples = 0;
  std::optional<std::int64_t> p50, p95, max;
};
Quantiles quantiles(std::vector<std::int64_t> values);

struct QueueFigures {
  QueueRef ref;
  QueueShape shape;
  Counts counts;
  std::int64_t now_ms = 0;                    // the Redis server's clock: every age is judged by it
  bool server_clock = true;                   // false: TIME failed, now_ms is this machine's clock
  std::int64_t local_now_ms = 0;
  std::int64_t window_ms = 0;
  std::optional<std::vector<WorkerInfo>> workers;  // nullopt: CLIENT LIST not allowed
  std::optional<std::string> oldest_waiting_id;
  std::optional<std::int64_t> oldest_waiting_timestamp;  // when it was added
  std::optional<std::int64_t> oldest_waiting_since;      // when it became ready (added, or due)
  // Delayed jobs already due: only workers promote them, so with none running they pile up here.
  std::int64_t due_delayed = 0;
  std::optional<std::int64_t> oldest_due_ms;
  FinishedFigures completed, failed;
  std::optional<std::int64_t> last_event_finish_ms;  // newest completed/failed event (server time)
  std::int64_t active_checked = 0;
  std::vector<ActiveJob> active;              // the first active_sample active jobs still active
  bool jobs_removed = true;                   // the id counter exceeds the jobs held (or is unknown)
  Quantiles processing;                       // finishedOn - processedOn, completed in the window
  Quantiles wait;                             // processedOn - ready time, same jobs
  std::optional<std::int64_t> limiter_ttl_ms; // the limiter's period has this long to run
  std::optional<std::int64_t> limiter_count;  // jobs started in the current period
  bool rate_limited = false;                  // the limiter holds the queue (count reached max)
  std::optional<std::int64_t> rate_max, rate_duration_ms;  // meta: global rate limit
  std::int64_t schedulers = 0, schedulers_overdue = 0;  // overdue: late by more than the grace
  std::int64_t schedulers_broken = 0;                  // known only from read_schedulers
  bool schedulers_read = false;                        // read_schedulers told overdue from broken
  std::vector<Problem> problems;

  std::int64_t ready() const;                 // waiting + prioritized + legacy paused list
  std::optional<std::int64_t> last_finished_ms() const;  // finished sets and the events stream
  std::int64_t stalled() const;               // active jobs without a lock (BullMQ layout)
};

}  // namespace opsctl::queue
