// JSON shapes of the queue commands (field names are part of the contract: opsctl(1)).
#include <nlohmann/json.hpp>

#include "queue/inspect.h"
#include "queue/json_fields.h"
#include "queue/job.h"
#include "queue/json.h"
#include "util/text.h"

namespace opsctl::queue {

nlohmann::json to_json(const Problem& p) {
  nlohmann::json j;
  if (!p.id.empty()) j["id"] = p.id;
  if (!p.key.empty()) j["key"] = p.key;
  if (!p.field.empty()) j["field"] = p.field;
  j["problem"] = p.problem;
  return j;
}

nlohmann::json counts_json(const Counts& counts) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [state, n] : counts) j[state] = opt(n);
  return j;
}

nlohmann::json to_json(const InspectResult& r) {
  nlohmann::json j;
  j["queue"] = r.ref.name;
  j["prefix"] = r.ref.prefix;
  j["status"] = std::string(to_string(r.status));
  j["summary"] = r.summary;
  j["paused"] = r.shape.paused;
  j["layout"] = to_string(r.shape.layout);
  j["version"] = opt(r.shape.version);
  j["counts"] = counts_json(r.counts);
  if (r.workers) {
    j["workers"] = r.workers->size();
    auto names = nlohmann::json::array();
    for (const auto& w : *r.workers) names.push_back(w.rawname);
    j["worker_names"] = names;
  } else {
    j["workers"] = nullptr;  // CLIENT LIST not allowed on this server
    j["worker_names"] = nlohmann::json::array();
  }
  if (r.figures.oldest_waiting_id) {
    nlohmann::json o{{"id", *r.figures.oldest_waiting_id}, {"timestamp", iso(r.figures.oldest_waiting_timestamp)}};
    const auto& since = r.figures.oldest_waiting_since;
    o["ready_since"] = iso(since);
    o["age_ms"] = since ? nlohmann::json(r.now_ms - *since) : nullptr;
    j["oldest_waiting"] = o;
  } else {
    j["oldest_waiting"] = nullptr;
  }
  j["stalled"] = {{"count", r.stalled}, {"checked", r.stalled_checked}, {"sample_ids", r.stalled_ids}};
  auto failures = nlohmann::json::array();
  for (const auto& f : r.failures) {
    failures.push_back({{"reason", f.reason}, {"count", f.count}, {"sample_ids", f.sample_ids}});
  }
  j["failures"] = failures;
  j["failures_sampled"] = r.failures_sampled;
  const auto& t = r.thresholds;
  j["thresholds"] = {{"warn_wait", t.warn_wait}, {"crit_wait", t.crit_wait}, {"warn_wait_age_ms", t.warn_wait_age_ms},
                     {"warn_failed", t.warn_failed}, {"crit_failed", t.crit_failed}, {"window_ms", t.window_ms},
                     {"crit_idle_ms", t.crit_idle_ms}, {"warn_active_ms", t.warn_active_ms},
                     {"warn_processing_ms", t.warn_processing_ms}, {"crit_processing_ms", t.crit_processing_ms},
                     {"warn_failure_ratio", t.warn_failure_ratio}, {"min_finished", t.min_finished},
                     {"scheduler_grace_ms", t.scheduler_grace_ms}};
  auto checks = nlohmann::json::array();
  for (const auto& c : r.checks) checks.push_back(to_json(c));
  j["checks"] = checks;
  j.update(figures_json(r.figures, t));
  auto list = nlohmann::json::array();
  if (r.schedulers) {
    for (const auto& s : r.schedulers->schedulers) list.push_back(to_json(s));
  }
  j["schedulers"]["items"] = list;
  if (r.listed_state) {
    j["state"] = *r.listed_state;
    auto jobs = nlohmann::json::array();
    for (const auto& row : r.jobs) {
      jobs.push_back({{"id", row.id}, {"name", opt(row.name)}, {"state", row.state}, {"timestamp", iso(row.timestamp)},
                      {"finished_on", iso(row.finished_on)}, {"attempts_made", opt(row.attempts_made)},
                      {"failed_reason", opt(row.failed_reason)}, {"problems", problems_json(row.problems)}});
    }
    j["jobs"] = jobs;
  }
  j["problems"] = problems_json(r.problems);
  return j;
}

nlohmann::json to_json(const Check& c) {
  nlohmann::json j{{"name", c.name}, {"level", std::string(to_string(c.level))}, {"value", opt(c.value)},
                   {"warn", opt(c.warn)}, {"crit", opt(c.crit)}, {"unit", c.unit}, {"message", c.message},
                   {"why", c.why.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.why)}};
  // The threshold this level was judged against: the critical one once crossed, else the warning one.
  j["threshold"] = c.level == Status::critical && c.crit ? opt(c.crit) : opt(c.warn);
  return j;
}

nlohmann::json figures_json(const QueueFigures& f, const Thresholds& t) {
  auto finished = [&](const FinishedFigures& x) {
    return nlohmann::json{{"in_window", x.in_window}, {"retained", x.retained}, {"exact", x.exact}, {"source", x.source},
                          {"newest", iso(x.newest_ms)}, {"oldest", iso(x.oldest_ms)}};
  };
  auto quant = [](const Quantiles& q) {
    return nlohmann::json{{"samples", q.samples}, {"p50", opt(q.p50)}, {"p95", opt(q.p95)}, {"max", opt(q.max)}};
  };
  double minutes = static_cast<double>(f.window_ms) / 60000.0;
  nlohmann::json j;
  j["now"] = iso(std::optional<std::int64_t>(f.now_ms));
  j["clock_skew_ms"] = f.local_now_ms - f.now_ms;
  j["window_ms"] = f.window_ms;
  j["completed_window"] = finished(f.completed);
  j["failed_window"] = finished(f.failed);
  j["throughput"] = {{"completed_per_min", f.completed.in_window / minutes}, {"failed_per_min", f.failed.in_window / minutes},
                     {"exact", f.completed.exact && f.failed.exact}};
  j["processing_ms"] = quant(f.processing);
  j["wait_ms"] = quant(f.wait);
  auto last = f.last_finished_ms();
  j["last_finished"] = iso(last);
  j["last_finished_age_ms"] = last ? nlohmann::json(f.now_ms - *last) : nullptr;
  auto long_active = nlohmann::json::array();
  for (const auto& a : f.active) {
    if (!a.processed_on || f.now_ms - *a.processed_on < t.warn_active_ms) continue;
    long_active.push_back({{"id", a.id}, {"name", opt(a.name)}, {"processed_on", iso(a.processed_on)},
                           {"age_ms", f.now_ms - *a.processed_on}, {"lock_alive", a.lock_ttl_ms.has_value()},
                           {"lock_ttl_ms", opt(a.lock_ttl_ms)}});
  }
  j["long_active"] = long_active;
  j["rate_limit"] = {{"limiter_ttl_ms", opt(f.limiter_ttl_ms)}, {"max", opt(f.rate_max)},
                     {"duration_ms", opt(f.rate_duration_ms)}, {"concurrency", opt(f.shape.concurrency)}};
  // Without read_schedulers the late ones are counted, not told apart: broken is then unknown.
  j["schedulers"] = {{"total", f.schedulers}, {"overdue", f.schedulers_overdue},
                     {"broken", f.schedulers_read || f.schedulers == 0 ? nlohmann::json(f.schedulers_broken) : nlohmann::json()}};
  return j;
}

nlohmann::json to_json(const JobDetail& d, const QueueRef& ref) {
  nlohmann::json j;
  j["queue"] = ref.name;
  j["prefix"] = ref.prefix;
  j["id"] = d.id;
  j["state"] = d.state;
  j["name"] = opt(d.name);
  j["data"] = d.data;
  j["opts"] = d.opts;
  j["attempts_made"] = d.attempts_made.value_or(0);
  j["attempts_started"] = opt(d.attempts_started);
  j["stalled_count"] = opt(d.stalled_count);
  j["failed_reason"] = opt(d.failed_reason);
  j["will_fail_reason"] = opt(d.will_fail_reason);
  j["stacktrace"] = d.stacktrace;
  j["logs"] = d.logs;
  j["log_count"] = d.log_count;
  j["timestamp"] = iso(d.timestamp);
  j["processed_on"] = iso(d.processed_on);
  j["finished_on"] = iso(d.finished_on);
  j["progress"] = d.progress;
  j["returnvalue"] = d.returnvalue;
  j["delay"] = opt(d.delay);
  j["priority"] = opt(d.priority);
  j["worker"] = opt(d.worker);
  j["parent_key"] = opt(d.parent_key);
  j["lock_ttl_ms"] = opt(d.lock_ttl_ms);
  j["problems"] = problems_json(d.problems);
  return j;
}

}  // namespace opsctl::queue
