#pragma once
// Registration of the built-in actions, one function per family (internal to lib/runbook).
#include "runbook/action.h"

namespace opsctl::runbook::actions {

void add_queue(ActionRegistry& r);   // queue.inspect, queue.resume, queue.retry, job.unstick
void add_health(ActionRegistry& r);  // health.http, health.redis, health.pg
void add_health_pg(ActionRegistry& r);
void add_db(ActionRegistry& r);      // db.pool, db.terminate
void add_file(ActionRegistry& r);    // file.read, file.write
void add_exec(ActionRegistry& r);    // exec
void add_misc(ActionRegistry& r);    // wait, lookup, approve
void add_notify(ActionRegistry& r);  // notify
void add_failures(ActionRegistry& r);  // failures.classify
void add_cache(ActionRegistry& r);     // cache.key, cache.delete
void add_job_attempts(ActionRegistry& r);  // job.attempts
void add_scheduler(ActionRegistry& r);     // queue.schedulers, scheduler.run_now

// A number of things with the right plural: "1 job", "80 jobs".
std::string plural(std::int64_t n, const std::string& one, const std::string& many);

}  // namespace opsctl::runbook::actions
