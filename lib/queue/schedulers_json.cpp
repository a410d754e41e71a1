// JSON of `queue schedulers` (field names are part of the contract: man/opsctl.1).
#include <nlohmann/json.hpp>

#include "queue/inspect.h"
#include "queue/json_fields.h"
#include "queue/schedulers.h"
#include "util/text.h"

namespace opsctl::queue {

nlohmann::json to_json(const SchedulerInfo& s) {
  nlohmann::json j;
  j["id"] = s.id;
  j["legacy"] = s.legacy;
  j["name"] = opt(s.name);
  j["pattern"] = opt(s.pattern);
  j["every_ms"] = opt(s.every_ms);
  j["tz"] = opt(s.tz);
  j["offset_ms"] = opt(s.offset_ms);
  j["iterations"] = opt(s.iterations);
  j["limit"] = opt(s.limit);
  j["start_date"] = iso(s.start_date_ms);
  j["end_date"] = iso(s.end_date_ms);
  j["next_run"] = iso(s.next_run_ms);
  j["next_run_ms"] = opt(s.next_run_ms);
  j["next_job_id"] = opt(s.next_job_id);
  j["next_job_state"] = opt(s.next_job_state);
  j["overdue"] = s.overdue;
  j["overdue_ms"] = s.overdue_ms;
  j["broken"] = s.broken;
  j["ended"] = s.ended;
  j["ended_reason"] = s.ended_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.ended_reason);
  j["finding"] = s.finding.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.finding);
  return j;
}

nlohmann::json to_json(const SchedulersResult& r, const QueueRef& ref) {
  nlohmann::json j;
  j["queue"] = ref.name;
  j["prefix"] = ref.prefix;
  j["status"] = std::string(to_string(r.status));
  j["summary"] = r.summary;
  j["total"] = r.total;
  j["overdue"] = r.overdue;
  j["broken"] = r.broken;
  j["ended"] = r.ended;
  j["late"] = r.late;
  j["paused"] = r.queue_paused;
  auto list = nlohmann::json::array();
  for (const auto& s : r.schedulers) list.push_back(to_json(s));
  j["schedulers"] = list;
  j["problems"] = problems_json(r.problems);
  return j;
}

}  // namespace opsctl::queue
