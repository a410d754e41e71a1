// QueueStore over BullMQ's PostgreSQL backend: the glue between the interface and the parts that
// read (schema.cpp, probe.cpp, inspect.cpp, schedulers.cpp, job.cpp) (the mutations are not implemented yet).
#include "queue/postgres/store.h"

#include <fmt/format.h>

#include "core/error.h"
#include "queue/postgres/db.h"

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

  std::unique_ptr<mutation::Operation> retry(const QueueRetryOptions&) override { not_yet("queue retry"); }
  MutationResult plan_clear(const ClearOptions&, DryRun, const Progress&) override { not_yet("queue clear"); }
  MutationResult clear(const ClearOptions&, const Progress&) override { not_yet("queue clear"); }
  MutationResult plan_obliterate(const ObliterateOptions&, std::int64_t&) override { not_yet("queue clear --all"); }
  MutationResult obliterate(const ObliterateOptions&, const Progress&) override { not_yet("queue clear --all"); }
  MutationResult pause(const PauseOptions&) override { not_yet("queue pause"); }
  MutationResult resume(const PauseOptions&) override { not_yet("queue resume"); }
  MutationResult promote(const PromoteOptions&) override { not_yet("queue promote"); }
  MutationResult plan_job_retry(const JobRetryOptions&) override { not_yet("job retry"); }
  MutationResult job_retry(const JobRetryOptions&) override { not_yet("job retry"); }
  MutationResult job_remove(const QueueRef&, const std::vector<std::string>&, DryRun) override { not_yet("job remove"); }
  MutationResult job_promote(const QueueRef&, const std::vector<std::string>&, DryRun) override { not_yet("job promote"); }
  MutationResult unstick(const UnstickOptions&) override { not_yet("job unstick"); }

 private:
  [[noreturn]] void not_yet(const char* verb) const {
    throw unknown_error(fmt::format("postgres {}: {} is not supported on the PostgreSQL backend yet", db_.target(), verb));
  }

  pgq::Db db_;
};

}  // namespace

std::unique_ptr<QueueStore> postgres_store(pg::Connection& conn) { return std::make_unique<PgStore>(conn); }

}  // namespace opsctl::queue
