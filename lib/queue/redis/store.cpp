#include "queue/redis/store.h"

#include "queue/redis/clear.h"
#include "queue/redis/discovery.h"
#include "queue/redis/probe.h"
#include "queue/redis/inspect.h"
#include "queue/redis/job.h"
#include "queue/redis/job_retry.h"
#include "queue/redis/layout.h"
#include "queue/redis/obliterate.h"
#include "queue/redis/pause.h"
#include "queue/redis/promote.h"
#include "queue/redis/remove.h"
#include "queue/redis/retry.h"
#include "queue/redis/schedulers.h"
#include "queue/redis/unstick.h"
#include "redis/server_time.h"

namespace opsctl::queue {
namespace {

class RedisStore final : public QueueStore {
 public:
  explicit RedisStore(redis::Client& c) : c_(c) {}

  std::string display() const override { return c_.target().display(); }
  std::string kind() const override { return "redis"; }
  std::int64_t now_ms() override { return redis::server_time_ms(c_); }

  std::vector<std::string> discover(const std::string& prefix) override { return discover_queues(c_, prefix); }
  QueueShape shape(const QueueRef& ref) override { return detect_shape(c_, ref); }
  InspectResult inspect(const InspectOptions& o) override { return inspect_queue(c_, o); }
  std::vector<QueueFigures> probe(const std::vector<QueueRef>& refs, const ProbeOptions& o) override {
    return probe_queues(c_, refs, o);
  }
  SchedulersResult schedulers(const QueueRef& ref, const SchedulerOptions& o) override {
    return read_schedulers(c_, ref, o);
  }
  std::optional<JobDetail> job(const QueueRef& ref, const QueueShape& shape, const std::string& id) override {
    return load_job(c_, ref, shape, id);
  }

  std::unique_ptr<mutation::Operation> retry(const QueueRetryOptions& o) override { return open_queue_retry(c_, o); }
  MutationResult plan_clear(const ClearOptions& o, DryRun mode, const Progress& p) override {
    return preview_clear(c_, o, mode, p);
  }
  MutationResult clear(const ClearOptions& o, const Progress& p) override { return clear_jobs(c_, o, p); }
  MutationResult plan_obliterate(const ObliterateOptions& o, std::int64_t& active) override {
    return preview_obliterate(c_, o, active);
  }
  MutationResult obliterate(const ObliterateOptions& o, const Progress& p) override {
    return obliterate_queue(c_, o, p);
  }
  MutationResult pause(const PauseOptions& o) override { return pause_queue(c_, o); }
  MutationResult resume(const PauseOptions& o) override { return resume_queue(c_, o); }
  MutationResult promote(const PromoteOptions& o) override { return promote_delayed(c_, o); }
  MutationResult plan_job_retry(const JobRetryOptions& o) override { return queue::plan_job_retry(c_, o); }
  MutationResult job_retry(const JobRetryOptions& o) override { return queue::job_retry(c_, o); }
  MutationResult job_remove(const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode) override {
    return remove_jobs(c_, ref, ids, mode);
  }
  MutationResult job_promote(const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode) override {
    return promote_jobs(c_, ref, ids, mode);
  }
  MutationResult unstick(const UnstickOptions& o) override { return unstick_jobs(c_, o); }

 private:
  redis::Client& c_;
};

}  // namespace

std::unique_ptr<QueueStore> redis_store(redis::Client& client) { return std::make_unique<RedisStore>(client); }

}  // namespace opsctl::queue
