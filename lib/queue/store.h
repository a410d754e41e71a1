#pragma once
// The one queue interface commands and runbook actions speak: the figures and jobs of BullMQ
// queues and every transition opsctl makes on them, each as a plan (changes nothing) and an apply.
// Whatever stores the queues implements it: Redis (lib/queue/redis/store.h) and BullMQ's
// PostgreSQL backend (lib/queue/postgres/store.h). The judging of figures (queue/checks.h) and the rendering are shared;
// no command branches on the backend. Errors: opsctl::Error, as every lib/ function.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "queue/clear.h"
#include "queue/figures.h"
#include "queue/inspect.h"
#include "queue/job.h"
#include "queue/job_retry.h"
#include "queue/layout.h"
#include "queue/mutation.h"
#include "queue/obliterate.h"
#include "queue/pause.h"
#include "queue/promote.h"
#include "queue/retry.h"
#include "queue/schedulers.h"
#include "queue/unstick.h"

namespace opsctl::queue {

using Progress = std::function<void(std::int64_t done)>;

class QueueStore {
 public:
  virtual ~QueueStore() = default;

  // The store as messages name it: "127.0.0.1:6379" (redacted).
  virtual std::string display() const = 0;
  // What stores the queues, as messages name it before display(): "redis" or "postgres".
  virtual std::string kind() const = 0;
  // Now by the store's own clock: BullMQ's times come from the hosts writing them, not from ours.
  virtual std::int64_t now_ms() = 0;

  // Reads.
  virtual std::vector<std::string> discover(const std::string& prefix) = 0;
  virtual QueueShape shape(const QueueRef& ref) = 0;
  virtual InspectResult inspect(const InspectOptions& o) = 0;
  virtual std::vector<QueueFigures> probe(const std::vector<QueueRef>& refs, const ProbeOptions& o) = 0;
  virtual SchedulersResult schedulers(const QueueRef& ref, const SchedulerOptions& o) = 0;
  virtual std::optional<JobDetail> job(const QueueRef& ref, const QueueShape& shape, const std::string& id) = 0;

  // Transitions. plan_* and DryRun::yes change nothing; the others re-check each job's state as
  // they move it, in bounded batches, and throw Interrupted when cut off mid-way.
  // A retry of options checked by check_retry_options: plan() then apply() over one detected queue.
  virtual std::unique_ptr<mutation::Operation> retry(const QueueRetryOptions& o) = 0;
  virtual MutationResult plan_clear(const ClearOptions& o, DryRun mode, const Progress& progress) = 0;
  virtual MutationResult clear(const ClearOptions& o, const Progress& progress) = 0;
  virtual MutationResult plan_obliterate(const ObliterateOptions& o, std::int64_t& active) = 0;
  virtual MutationResult obliterate(const ObliterateOptions& o, const Progress& progress) = 0;
  virtual MutationResult pause(const PauseOptions& o) = 0;
  virtual MutationResult resume(const PauseOptions& o) = 0;
  virtual MutationResult promote(const PromoteOptions& o) = 0;
  virtual MutationResult plan_job_retry(const JobRetryOptions& o) = 0;
  virtual MutationResult job_retry(const JobRetryOptions& o) = 0;
  virtual MutationResult job_remove(const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode) = 0;
  virtual MutationResult job_promote(const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode) = 0;
  virtual MutationResult unstick(const UnstickOptions& o) = 0;
};

}  // namespace opsctl::queue
