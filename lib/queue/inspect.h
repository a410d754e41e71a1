#pragma once
// `queue inspect`: everything an on-call engineer asks first about a queue, judged against time
// (queue/checks.h), at a cost independent of its size: counts and windowed counts are O(log n),
// the samples (newest completed, first active, most recent failures, listed jobs) are bounded.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "queue/checks.h"
#include "queue/counts.h"
#include "queue/figures.h"
#include "queue/schedulers.h"
#include "queue/workers.h"

namespace opsctl::queue {

struct InspectOptions {
  QueueRef ref;
  Thresholds thresholds;
  std::optional<std::string> state;  // list jobs of this state
  std::int64_t limit = 20, offset = 0;
  std::size_t failure_sample = 1000;  // most recent failed jobs grouped by reason
  std::int64_t now_ms = 0;            // this machine's clock; ages are judged by the server's
};

struct FailureGroup {
  std::string reason;
  std::int64_t count = 0;
  std::vector<std::string> sample_ids;  // at most 5
};

struct JobRow {
  std::string id;
  std::optional<std::string> name;
  std::string state;
  std::optional<std::int64_t> timestamp, attempts_made, finished_on;
  std::optional<std::string> failed_reason;
  std::vector<Problem> problems;
};

struct InspectResult {
  QueueRef ref;
  QueueShape shape;
  Status status = Status::ok;
  std::string summary;  // one line: "120 waiting (> 50 critical), 7 failed in the last 15m, ..."
  std::vector<Check> checks;
  QueueFigures figures;
  std::optional<SchedulersResult> schedulers;  // when the queue has any
  Counts counts;
  std::optional<std::vector<WorkerInfo>> workers;
  // Active jobs without a lock: their worker died and nothing will recover them until BullMQ's
  // stalled checker runs (or never, if no worker runs it). Checked on the first 1000 active jobs.
  std::int64_t stalled = 0;
  std::int64_t stalled_checked = 0;
  std::vector<std::string> stalled_ids;  // sample
  std::vector<FailureGroup> failures;
  std::int64_t failures_sampled = 0;
  std::optional<std::string> listed_state;
  std::vector<JobRow> jobs;
  std::vector<Problem> problems;
  Thresholds thresholds;
  std::int64_t now_ms = 0;  // the server's clock (Redis TIME, or the database's on PostgreSQL)
};

// What a store's inspect reads, in order: probe_options(o) for the figures; start_inspect once they
// are read and the queue is known to exist (it copies what inspect shows of them: counts, workers,
// active jobs without a lock; the oldest waiting job is read from figures); the store's own samples (failures, listed jobs); then
// finish_inspect with the queue's schedulers when it has any (their findings join the figures'
// problems) to judge it all.
ProbeOptions probe_options(const InspectOptions& o);
// The key failures are grouped by: the first line of failedReason (stack-like reasons differ below
// it for the same cause), at most 300 bytes; "(no failedReason)" without one.
std::string failure_reason_key(const std::optional<std::string>& failed_reason);
// r.failures and r.failures_sampled from the newest failed jobs (id, failedReason), newest first:
// groups by failure_reason_key, five sample ids each, the most frequent first.
void group_failures(InspectResult& r, const std::vector<std::pair<std::string, std::optional<std::string>>>& newest_first);
InspectResult start_inspect(const InspectOptions& o, QueueFigures figures);
void finish_inspect(InspectResult& r, std::optional<SchedulersResult> schedulers);

// True when s is a state name jobs can be listed for.
bool is_listable_state(const std::string& s);
const std::vector<std::string>& listable_states();

nlohmann::json to_json(const InspectResult& r);  // in json.cpp
nlohmann::json to_json(const Problem& p);

}  // namespace opsctl::queue
