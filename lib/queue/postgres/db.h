#pragma once
// Private to lib/queue/postgres: what the parts of the PostgreSQL QueueStore share. Db is the session
// over BullMQ's schemas (the version guard, the database clock, a queue's shape); the rest reads
// BullMQ's job columns the way its API does. Every value is a parameter; schemas are identifiers
// quoted by libpq once their version is checked (docs/bullmq-postgres.md 1.2).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/connection.h"
#include "queue/figures.h"
#include "queue/inspect.h"
#include "queue/job.h"
#include "queue/schedulers.h"

namespace opsctl::queue::pgq {

class Db {
 public:
  explicit Db(pg::Connection& c) : c_(c) {}
  pg::Connection& conn() { return c_; }
  const std::string& target() const { return c_.target(); }
  pg::Result query(std::string_view sql, const std::vector<pg::Param>& params = {}) { return c_.query(sql, params); }

  // The schema as an SQL identifier, once its BullMQ version is known to be supported (schema.cpp);
  // an unsupported, missing or foreign schema is refused.
  std::string qualified(const std::string& schema);
  std::int64_t now_ms();  // the database's clock
  std::vector<std::string> discover(const std::string& schema);
  QueueShape shape(const QueueRef& ref);
  [[noreturn]] void throw_not_found(const QueueRef& ref);

 private:
  pg::Connection& c_;
  std::map<std::string, std::string> checked_;
};

template <class F>
void each_row(const pg::Result& r, F&& f) {
  for (std::size_t i = 0; i < r.rows.size(); ++i) f(pg::Row(r, i));
}

// The state as BullMQ's getJobState names it: waiting with a priority is prioritized.
std::string public_state(const pg::Row& r);
// A jsonb column as JSON (null for NULL; the text itself when it does not parse).
nlohmann::json json_column(const pg::Value& v);
QueueFigures probe_queue(Db& db, const QueueRef& ref, const ProbeOptions& o);           // probe.cpp
InspectResult inspect_queue(Db& db, const InspectOptions& o);                           // inspect.cpp
SchedulersResult read_schedulers(Db& db, const QueueRef& ref, const SchedulerOptions& o);  // schedulers.cpp
// The same for a queue whose shape and scheduler counts (total, late by more than the grace) the
// caller has read already (queue inspect: probe_queue did).
SchedulersResult read_scheduler_rows(Db& db, const QueueRef& ref, const QueueShape& sh, std::int64_t total,
                                     std::int64_t late, const SchedulerOptions& o);
std::optional<JobDetail> load_job(Db& db, const QueueRef& ref, const std::string& id);  // job.cpp

}  // namespace opsctl::queue::pgq
