#include "output/prom_catalog.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"

namespace opsctl::output {

const std::vector<PromFamily>& prom_catalog() {
  static const std::vector<PromFamily> families{
      // Every run (labels: command, file, and what the run looked at).
      {"opsctl_check_success", "gauge", "1 when the run reached its verdict, 0 when it failed before (label error)"},
      {"opsctl_last_run_timestamp_seconds", "gauge", "When the run that wrote these metrics ended (Unix time)"},
      {"opsctl_redis_up", "gauge", "1 when Redis answered, 0 when it could not be reached (label error)"},
      {"opsctl_pg_up", "gauge", "1 when opsctl got a PostgreSQL session, 0 when it could not (label error)"},
      // health
      {"opsctl_check_up", "gauge", "1 when the check is ok or warning, 0 when critical or unknown"},
      {"opsctl_check_latency_seconds", "gauge", "Time the check took"},
      {"opsctl_check_status", "gauge", "0 ok, 1 warning, 2 critical, 3 unknown"},
      // queue inspect, queue list, queue schedulers
      {"opsctl_queue_jobs", "gauge", "Jobs in a BullMQ queue by state"},
      {"opsctl_queue_paused", "gauge", "1 when the queue is paused"},
      {"opsctl_queue_workers", "gauge", "Workers connected to the queue"},
      {"opsctl_queue_oldest_waiting_age_seconds", "gauge", "Age of the oldest waiting job (0 when none)"},
      {"opsctl_queue_status", "gauge", "Check status: 0 ok, 1 warning, 2 critical, 3 unknown"},
      {"opsctl_queue_check_status", "gauge", "Each check's level: 0 ok, 1 warning, 2 critical, 3 unknown"},
      {"opsctl_queue_window_seconds", "gauge", "The window of the rate-like checks"},
      {"opsctl_queue_window_failed_jobs", "gauge", "Jobs failed within the window (a lower bound when not exact)"},
      {"opsctl_queue_window_completed_jobs", "gauge", "Jobs completed within the window (a lower bound when not exact)"},
      {"opsctl_queue_window_exact", "gauge", "1 when the window's counts are exact"},
      {"opsctl_queue_processing_seconds", "gauge",
       "Processing time (finishedOn - processedOn) of jobs completed in the window"},
      {"opsctl_queue_wait_seconds", "gauge", "Wait time (processedOn - ready) of jobs completed in the window"},
      {"opsctl_queue_last_finished_age_seconds", "gauge", "Time since the newest finished job"},
      {"opsctl_queue_schedulers", "gauge", "Job Schedulers (and v5 repeatable jobs) of the queue"},
      {"opsctl_queue_schedulers_overdue", "gauge",
       "Job Schedulers whose next run is late beyond the grace and not picked up"},
      {"opsctl_queue_schedulers_broken", "gauge", "Job Schedulers with no job carrying the next run (chain ended)"},
      {"opsctl_queue_schedulers_status", "gauge", "Check status: 0 ok, 1 warning, 2 critical, 3 unknown"},
      // db pool
      {"opsctl_pg_status", "gauge", "Check status: 0 ok, 1 warning, 2 critical, 3 unknown"},
      {"opsctl_pg_max_connections", "gauge", "max_connections"},
      {"opsctl_pg_reserved_connections", "gauge", "Slots reserved for superusers and for reserved roles"},
      {"opsctl_pg_connections", "gauge", "Client backends by state"},
      {"opsctl_pg_connections_used", "gauge", "Client backends holding a slot (opsctl's own excluded)"},
      {"opsctl_pg_connections_usable", "gauge", "Slots a normal role may use"},
      {"opsctl_pg_connections_available", "gauge", "Slots a normal role can still get"},
      {"opsctl_pg_idle_in_transaction_sessions", "gauge", "Sessions idle in a transaction longer than --idle-tx"},
      {"opsctl_pg_idle_in_transaction_max_age_seconds", "gauge", "Longest idle-in-transaction time (0 when none)"},
      {"opsctl_pg_long_running_queries", "gauge", "Queries active longer than --long"},
      {"opsctl_pg_root_blockers", "gauge", "Sessions blocking others without waiting themselves"},
      {"opsctl_pg_blocked_sessions", "gauge", "Sessions waiting behind a root blocker"},
      {"opsctl_pgbouncer_clients_waiting", "gauge", "PgBouncer clients waiting for a server"},
      {"opsctl_pgbouncer_maxwait_seconds", "gauge", "Longest wait of a PgBouncer client"},
      {"opsctl_pgbouncer_server_connections", "gauge", "PgBouncer server connections by state"},
  };
  return families;
}

void PromSet::add(std::string_view family, const PromLabels& labels, double value) {
  auto it = std::find_if(metrics_.begin(), metrics_.end(), [&](const PromMetric& m) { return m.name == family; });
  if (it == metrics_.end()) {
    const auto& all = prom_catalog();
    auto f = std::find_if(all.begin(), all.end(), [&](const PromFamily& x) { return x.name == family; });
    if (f == all.end()) throw unknown_error(fmt::format("internal error: metric {} is not in the catalog", family));
    metrics_.push_back({std::string(f->name), std::string(f->help), std::string(f->type), {}});
    it = metrics_.end() - 1;
  }
  PromLabels all = labels;
  for (const auto& [k, v] : base_) all.emplace(k, v);  // the sample's own label wins
  it->samples.push_back({std::move(all), value});
}

std::string PromSet::exposition() const { return prom_exposition(metrics_); }

}  // namespace opsctl::output
