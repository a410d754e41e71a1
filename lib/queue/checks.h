#pragma once
// The time-aware verdicts of a queue, from QueueFigures alone (pure: unit-tested without Redis).
// The checks of opsctl(1), queue inspect: backlog (> 10 for 5 minutes, > 50), failures in a window
// (> 5, > 20), processor down (jobs waiting, nothing finished for 10 minutes), job timeout (active
// > 5 minutes), processing time (p95 > 30 s, > 60 s), failure ratio (> 10 %), overdue Job Schedulers.
// Every non-ok check carries one "why" sentence naming the likely cause and the next command.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "queue/figures.h"

namespace opsctl::queue {

// Counts alert ABOVE their threshold (value > warn), as "> 10" and Nagios ranges mean it (opsctl(1)).
struct Thresholds {
  std::int64_t warn_wait = 10, crit_wait = 50;      // jobs ready to run
  std::int64_t warn_wait_age_ms = 5 * 60 * 1000;    // the backlog warning needs the oldest this old
  std::int64_t warn_failed = 5, crit_failed = 20;   // failures within the window
  std::int64_t window_ms = 15 * 60 * 1000;
  std::int64_t crit_idle_ms = 10 * 60 * 1000;       // processor down: nothing finished this long
  std::int64_t warn_active_ms = 5 * 60 * 1000;      // job timeout: active this long
  std::int64_t warn_processing_ms = 30 * 1000, crit_processing_ms = 60 * 1000;  // p95
  std::int64_t warn_failure_ratio = 10;             // percent of jobs finished in the window
  std::int64_t min_finished = 20;                   // the ratio is judged from this many jobs on
  std::int64_t scheduler_grace_ms = 60 * 1000;      // a scheduler's next run late by more: overdue
};

struct Check {
  std::string name;     // backlog, failed, processor, paused, stalled, long_active, processing_time,
                        // failure_ratio, throughput, schedulers, rate_limit, clock, data
  Status level = Status::ok;
  std::optional<double> value;       // in `unit`
  std::optional<double> warn, crit;  // thresholds in `unit`, when the check has them
  std::string unit;                  // "", "s", "%", "/min"
  std::string message;               // one line: what was seen
  std::string why;                   // non-ok: likely cause and the next command
};

struct Verdict {
  Status status = Status::ok;
  std::vector<Check> checks;
  std::string summary;  // "120 waiting (> 50 critical), 7 failed in 15m, 0 active, ..."
};

// The worst check decides the status (critical > unknown > warning > ok): bad data makes a verdict
// unknown unless a check found something critical all the same.
Verdict judge(const QueueFigures& f, const Thresholds& t);

// "12s", "4m 05s": ages in messages.
std::string age_text(std::int64_t ms);

}  // namespace opsctl::queue
