#pragma once
// Private to lib/queue/postgres: the transitions of docs/bullmq-postgres.md section 6. Each picks
// jobs with opsctl's predicate and applies BullMQ's own SQL function to them, per bounded batch in
// one transaction (SET LOCAL statement_timeout, lock_timeout): the pick locks its rows
// (FOR UPDATE SKIP LOCKED), so nothing changes between the pick and the function, which re-checks
// the state itself. A failure mid-way leaves as Interrupted with what the committed batches did.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "queue/postgres/db.h"
#include "queue/store.h"

namespace opsctl::queue::pgq {

// Jobs per transaction. BullMQ's functions cost from about 10 us a job (clean) to 0.1-0.8 ms
// (reprocess_job: a row update, an event row, two NOTIFYs; more on a loaded host), so the size is
// paced by the database (Pacer): the first batch is kBatch, each next one is sized towards
// kBatchTargetMs, so no transaction holds its locks near 50 ms (bench/pg-queue), short next to a
// worker's lock renewal. docs section 6: at most 1000 jobs per transaction.
inline constexpr std::int64_t kBatch = 50;
inline constexpr std::int64_t kBatchMin = 10;
inline constexpr std::int64_t kBatchMax = 1000;
inline constexpr std::int64_t kBatchTargetMs = 20;

// The size of the next batch from how long the last ones took: a fit of time = fixed + per_job x
// jobs over the last 8 batches (renewed when their sizes differ by 20 % or more, kept otherwise),
// then the size that takes kBatchTargetMs, or 1.5 x the fixed part when that is longer (clean()
// reads and sorts the whole state on every call: smaller calls would only pay it more often),
// moving at most x2 or /2 a batch, within [kBatchMin, kBatchMax].
class Pacer {
 public:
  explicit Pacer(std::int64_t first = kBatch) : size_(first) {}
  std::int64_t size() const { return size_; }
  // A batch of `jobs` jobs took `elapsed` (its whole transaction, commit included).
  void took(std::int64_t jobs, std::chrono::nanoseconds elapsed);

 private:
  std::int64_t size_;
  std::vector<std::pair<double, double>> samples_;  // (jobs, ms) of the last batches
  double fixed_ = 0;     // ms a call costs whatever its size, from the last fit
  bool fitted_ = false;
};

// Runs body in one transaction whose statements are bounded by the session's timeout and whose
// row and advisory locks are waited for at most 2 s. Returns how long the transaction took.
std::chrono::nanoseconds in_batch(Db& db, const std::function<void()>& body);
// Ids as the JSON array the statements unnest (jsonb_array_elements_text ... WITH ORDINALITY).
std::string json_ids(const std::vector<std::string>& ids);
// A result naming the action and the queue ("127.0.0.1:5432/app as app bq:mail"), after checking
// that the queue exists (not found otherwise, with a hint).
// shape: where to keep the queue's shape that check read (paused, problems), when the caller needs it.
MutationResult start_result(Db& db, const char* action, const QueueRef& ref, QueueShape* shape = nullptr);

std::unique_ptr<mutation::Operation> open_retry(Db& db, const QueueRetryOptions& o);           // retry.cpp
MutationResult clear_jobs(Db& db, const ClearOptions& o, DryRun mode, const Progress& progress);  // clear.cpp
MutationResult plan_obliterate(Db& db, const ObliterateOptions& o, std::int64_t& active);      // obliterate.cpp
MutationResult obliterate(Db& db, const ObliterateOptions& o, const Progress& progress);
MutationResult pause_queue(Db& db, const PauseOptions& o, bool pause);                         // pause.cpp
MutationResult promote_delayed(Db& db, const PromoteOptions& o);                                // pause.cpp
MutationResult job_retry(Db& db, const JobRetryOptions& o, DryRun mode);                       // job_ops.cpp
MutationResult job_remove(Db& db, const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode);
MutationResult job_promote(Db& db, const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode);
MutationResult unstick(Db& db, const UnstickOptions& o);                                       // unstick.cpp

}  // namespace opsctl::queue::pgq
