#pragma once
// The drill-down of one queue in `opsctl top`: recent failures grouped by reason with counts and the
// newest one's age, active jobs with age and lock state, the head of the delayed set, the Job
// Schedulers with their next run. Built from `queue inspect` results (pure: unit-tested).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "queue/inspect.h"
#include "top/layout.h"

namespace opsctl::top {

struct ReasonRow {
  std::string reason;                        // first line of failedReason, as queue inspect groups it
  std::int64_t count = 0;                    // among the most recent failures sampled
  std::optional<std::int64_t> newest_age_ms;  // the newest listed failure of that reason
  std::vector<std::string> sample_ids;       // newest first
};

struct ActiveRow {
  std::string id, name;
  std::optional<std::int64_t> age_ms;  // since processedOn
  std::string lock;                    // "locked 25s", "no expiry", "NO LOCK"
  bool stuck = false;                  // no lock: its worker is gone
};

struct DelayedRow {
  std::string id, name;
  std::optional<std::int64_t> added_age_ms;
};

struct SchedulerRow {
  std::string id;
  std::optional<std::int64_t> next_in_ms;  // negative: late by that much
  std::string state;                       // "ok", "overdue", "broken", "ended"
  Status level = Status::ok;
};

struct Drill {
  queue::QueueRef ref;
  Status status = Status::ok;
  std::string summary;
  bool paused = false;
  std::int64_t failures_sampled = 0;
  std::vector<ReasonRow> reasons;
  std::vector<ActiveRow> active;
  std::vector<DelayedRow> delayed;
  std::vector<SchedulerRow> schedulers;
};

// Groups with their newest age taken from the failed jobs listed (newest first).
std::vector<ReasonRow> group_reasons(const std::vector<queue::FailureGroup>& groups,
                                     const std::vector<queue::JobRow>& failed_jobs, std::int64_t now_ms);

// failed: an inspect listing failed jobs; delayed: the first delayed jobs.
Drill make_drill(const queue::InspectResult& failed, const std::vector<queue::JobRow>& delayed);

// The ECMAScript expression `queue retry --reason` takes to select exactly one reason's jobs.
std::string reason_pattern(const std::string& reason);

// The drill-down frame; v.selected is the reason under the cursor.
std::vector<Line> drill_frame(const Drill& d, const Snapshot& s, const View& v, int width, int height);

}  // namespace opsctl::top
