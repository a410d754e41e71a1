#pragma once
// `queue schedulers`: BullMQ Job Schedulers (and v5 legacy repeatable jobs) of a queue, each with
// the job that carries its next run, judged overdue, broken or ended (rules: scheduler_judge.h).
// Cost is bounded by options.limit, in a fixed number of pipelined round trips.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "queue/keys.h"

namespace opsctl::queue {

struct SchedulerInfo {
  std::string id;                               // scheduler id (repeat zset member)
  bool legacy = false;                          // a v5 legacy repeatable job, not a Job Scheduler
  std::optional<std::string> name, pattern, tz;  // job name, cron pattern, time zone
  std::optional<std::int64_t> every_ms, iterations, limit, start_date_ms, end_date_ms;
  std::optional<std::int64_t> offset_ms;        // `every` schedulers: the slot offset
  std::optional<std::int64_t> next_run_ms;      // the repeat zset score
  std::optional<std::string> next_job_id;       // the job that carries the next run
  std::optional<std::string> next_job_state;    // delayed|waiting|prioritized|active|completed|failed|... ; nullopt = no such job
  std::optional<std::int64_t> next_job_processed_on_ms;  // when a worker took that job
  bool overdue = false;                         // next run passed by more than grace and its job not processed
  std::int64_t overdue_ms = 0;                  // how far past next run (0 unless overdue)
  bool broken = false;                          // no job carries the next run: the chain ended
  bool ended = false;                           // the chain ended as configured (limit or endDate): not broken
  std::string ended_reason;                     // "limit of 3 iterations reached", "end date passed", else ""
  std::string finding;                          // one sentence when overdue/broken, else ""
};

struct SchedulerOptions {
  std::int64_t now_ms = 0;
  std::int64_t grace_ms = 60000;
  std::size_t limit = 1000;
};

struct SchedulersResult {
  std::int64_t total = 0;                     // ZCARD repeat
  std::vector<SchedulerInfo> schedulers;      // at most limit, next run first
  std::int64_t overdue = 0, broken = 0;       // among those read
  std::int64_t ended = 0;                     // among those read
  std::int64_t late = 0;                      // ZCOUNT repeat -inf (now-grace): every candidate, read or not
  bool queue_paused = false;                  // meta.paused: overdue jobs then wait for a resume
  Status status = Status::ok;                 // broken: critical, overdue: warning, problems: unknown
  std::string summary;                        // one line: "3 schedulers, 1 overdue, 0 broken"
  std::vector<Problem> problems;
};

nlohmann::json to_json(const SchedulerInfo& s);
// The document of `queue schedulers -o json`: {"queue","prefix","status","total","overdue","broken",...}.
nlohmann::json to_json(const SchedulersResult& r, const QueueRef& ref);

}  // namespace opsctl::queue
