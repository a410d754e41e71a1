// QueueStore over BullMQ's PostgreSQL backend: the glue between the interface and the parts that
// read (schema.cpp, probe.cpp, inspect.cpp, schedulers.cpp, job.cpp) and change (docs/bullmq-postgres.md 6).
#include "queue/postgres/store.h"

#include "queue/postgres/mutate.h"

namespace opsctl::queue {
namespace {

class PgStore final : public QueueStore {
 public:
  explicit PgStore(pg::Connection& c) : db_(c) {}

  std::string display() const override { return db_.target(); }
  std::string kind() const override { return "postgres"; }
  std::int64_t now_ms() override { return db_.now_ms(); }

  std::vector<std::string> discover(const std::string& schema) override { return db_.discover(schema); }
  QueueShape shape(const QueueRef& ref) override { return db_.shape(ref); }
  std::vector<QueueFigures> probe(const std::vector<QueueRef>& refs, const ProbeOptions& o) override {
    std::vector<QueueFigures> out;
    for (const auto& ref : refs) out.push_back(pgq::probe_queue(db_, ref, o));
    return out;
  }
  InspectResult inspect(const InspectOptions& o) override { return pgq::inspect_queue(db_, o); }
  SchedulersResult schedulers(const QueueRef& ref, const SchedulerOptions& o) override {
    return pgq::read_schedulers(db_, ref, o);
  }
  std::optional<JobDetail> job(const QueueRef& ref, const QueueShape&, const std::string& id) override {
    return pgq::load_job(db_, ref, id);
  }

  std::unique_ptr<mutation::Operation> retry(const QueueRetryOptions& o) override { return pgq::open_retry(db_, o); }
  MutationResult plan_clear(const ClearOptions& o, DryRun mode, const Progress& p) override {
    auto r = pgq::clear_jobs(db_, o, DryRun::yes, p);
    r.dry_run = mode == DryRun::yes;
    return r;
  }
  MutationResult clear(const ClearOptions& o, const Progress& p) override { return pgq::clear_jobs(db_, o, DryRun::no, p); }
  MutationResult plan_obliterate(const ObliterateOptions& o, std::int64_t& active) override {
    return pgq::plan_obliterate(db_, o, active);
  }
  MutationResult obliterate(const ObliterateOptions& o, const Progress& p) override { return pgq::obliterate(db_, o, p); }
  MutationResult pause(const PauseOptions& o) override { return pgq::pause_queue(db_, o, true); }
  MutationResult resume(const PauseOptions& o) override { return pgq::pause_queue(db_, o, false); }
  MutationResult promote(const PromoteOptions& o) override { return pgq::promote_delayed(db_, o); }
  MutationResult plan_job_retry(const JobRetryOptions& o) override { return pgq::job_retry(db_, o, DryRun::yes); }
  MutationResult job_retry(const JobRetryOptions& o) override { return pgq::job_retry(db_, o, DryRun::no); }
  MutationResult job_remove(const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode) override {
    return pgq::job_remove(db_, ref, ids, mode);
  }
  MutationResult job_promote(const QueueRef& ref, const std::vector<std::string>& ids, DryRun mode) override {
    return pgq::job_promote(db_, ref, ids, mode);
  }
  MutationResult unstick(const UnstickOptions& o) override { return pgq::unstick(db_, o); }

 private:
  pgq::Db db_;
};

}  // namespace

std::unique_ptr<QueueStore> postgres_store(pg::Connection& conn) { return std::make_unique<PgStore>(conn); }

}  // namespace opsctl::queue
