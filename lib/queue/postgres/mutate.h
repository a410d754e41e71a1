#pragma once
// Private to lib/queue/postgres: the transitions of docs/bullmq-postgres.md section 6. Each picks
// jobs with opsctl's predicate and applies BullMQ's own SQL function to them, per bounded batch in
// one transaction (SET LOCAL statement_timeout, lock_timeout): the pick locks its rows
// (FOR UPDATE SKIP LOCKED), so nothing changes between the pick and the function, which re-checks
// the state itself. A failure mid-way leaves as Interrupted with what the committed batches did.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "queue/postgres/db.h"
#include "queue/store.h"

namespace opsctl::queue::pgq {

// Jobs per transaction (docs section 6: at most 1000). BullMQ's per-job functions cost 0.25 to
// 0.8 ms each (reprocess_job: a row update, an event row, two NOTIFYs; more on a loaded host), so
// 50 keeps every statement under 50 ms (bench/pg-queue), short next to a worker's lock renewal.
inline constexpr std::int64_t kBatch = 50;

// Runs body in one transaction whose statements are bounded by the session's timeout and whose
// row and advisory locks are waited for at most 2 s.
void in_batch(Db& db, const std::function<void()>& body);
// Ids as the JSON array the statements unnest (jsonb_array_elements_text ... WITH ORDINALITY).
std::string json_ids(const std::vector<std::string>& ids);
// A result naming the action and the queue ("127.0.0.1:5432/app as app bq:mail"), after checking
// that the queue exists (not found otherwise, with a hint).
MutationResult start_result(Db& db, const char* action, const QueueRef& ref);

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
