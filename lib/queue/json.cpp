// JSON shapes of the queue commands (field names are part of the contract: CONVENTIONS.md).
#include <nlohmann/json.hpp>

#include "queue/inspect.h"
#include "queue/job.h"
#include "queue/json.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json iso(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::json(util::iso8601_utc(*ms)) : nlohmann::json(nullptr);
}

nlohmann::json problems_json(const std::vector<Problem>& problems) {
  auto out = nlohmann::json::array();
  for (const auto& p : problems) out.push_back(to_json(p));
  return out;
}

}  // namespace

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
  if (r.oldest_waiting_id) {
    nlohmann::json o{{"id", *r.oldest_waiting_id}, {"timestamp", iso(r.oldest_waiting_timestamp)}};
    o["age_ms"] = r.oldest_waiting_timestamp ? nlohmann::json(r.now_ms - *r.oldest_waiting_timestamp) : nullptr;
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
  j["thresholds"] = {{"warn_wait", r.thresholds.warn_wait}, {"crit_wait", r.thresholds.crit_wait},
                     {"warn_failed", r.thresholds.warn_failed}, {"crit_failed", r.thresholds.crit_failed}};
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
