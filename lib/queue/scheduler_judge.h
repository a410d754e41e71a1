#pragma once
// The pure half of `queue schedulers`: parsing what BullMQ stores for a scheduler and judging its
// chain. Facts from BullMQ 6.7.0 / 5.81.3 behind the rules:
// - `repeat` zset: member = scheduler id, score = millis of the next run. The job of that run is
//   `repeat:<id>:<millis>` (addJobScheduler-11.lua, updateJobScheduler-12.lua), delayed until then
//   (wait/prioritized when its delay is 0).
// - The next iteration is added when a worker moves the current job to active (Worker.nextJobFromJobData
//   calls upsertJobScheduler with producerId = the job id): ZADD repeat <next> and a new delayed job.
//   So a next-run job that is active/completed/failed while the score still names it means no next
//   job was added: legitimately when `limit` iterations were reached (hash `ic`, HINCRBY per job) or
//   the end date passed, else the chain is broken and BullMQ will never run the scheduler again.
// - v5 legacy repeatables (repeat.js): member md5(`name:jobId:endDate:tz:<cron|every>`) whose hash has
//   no `ic` (BullMQ's isJobScheduler test); members of that legacy shape (≤ 3.0.0) name a job
//   `repeat:<md5(name + jobId + md5(member))>:<millis>` instead. limit and count live in the job's opts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "queue/keys.h"
#include "queue/schedulers.h"

namespace opsctl::queue {

// Epoch millis or a duration as BullMQ's Lua writes numbers: "1700000000000", "1.7e+12", "1500.0".
std::optional<std::int64_t> parse_millis(std::string_view text);

// A legacy repeat key `name:jobId:endDate:tz:<cron|every>` (BullMQ's hasLegacyRepeatableKeyShape,
// then repeat.js keyToData); nullopt for any other member.
struct LegacyKey {
  std::string name, job_id;
  std::optional<std::int64_t> end_date_ms, every_ms;
  std::optional<std::string> tz, pattern;
};
std::optional<LegacyKey> parse_legacy_key(std::string_view member);

// The fields read from hash repeat:<id>, in HMGET order.
const std::vector<std::string>& scheduler_hash_fields();
// Fills s from those values (nullopt = field absent). Unreadable numbers become problems naming key.
// Sets s.legacy when the hash has no `ic`. Returns false when no field is present (no hash).
bool apply_scheduler_hash(const std::vector<std::optional<std::string>>& values, const std::string& key,
                          SchedulerInfo& s, std::vector<Problem>& problems);

// `repeat:<id>:<millis>`: the job of a run, for Job Schedulers and non-legacy-shaped v5 members.
std::string scheduler_job_id(std::string_view id, std::int64_t millis);

// Where a job was found, from one pipelined probe of its hash and state keys.
struct JobProbe {
  bool hash_exists = false;
  bool processed = false, finished = false;  // processedOn, finishedOn present
  bool in_delayed = false, in_prioritized = false, in_completed = false, in_failed = false;
  bool in_waiting_children = false;
  std::optional<bool> in_active;  // nullopt when LPOS is not available
};
// delayed|prioritized|completed|failed|waiting-children|active|waiting|finished, nullopt = no such job.
std::optional<std::string> job_state(const JobProbe& p);

// Why a chain stopped as configured ("limit of 3 iterations reached"), or "" when it should go on.
std::string chain_end_reason(const SchedulerInfo& s, std::int64_t now_ms);

// Sets overdue/overdue_ms, broken, ended/ended_reason and finding from the next job's state.
// Pending (delayed/waiting/prioritized/waiting-children) past next run + grace: overdue. Not pending
// (no job, active for longer than grace, completed, failed): ended when chain_end_reason says so,
// else broken. State "unknown" (unreadable job) is not judged.
void judge_scheduler(SchedulerInfo& s, std::int64_t now_ms, std::int64_t grace_ms, bool queue_paused);

// The totals of r's schedulers (overdue, broken, ended), its status and its one-line summary
// ("3 schedulers, 1 overdue, 0 broken"), once r.schedulers, total, late and problems are read.
void summarise(SchedulersResult& r, std::int64_t grace_ms);

}  // namespace opsctl::queue
