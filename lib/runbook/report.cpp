#include "runbook/report.h"

#include <algorithm>

#include "util/redact.h"
#include "util/text.h"

namespace opsctl::runbook {

using nlohmann::json;

namespace {

json redacted(const json& v) {
  if (v.is_string()) return util::redact(v.get<std::string>());
  if (v.is_array() || v.is_object()) {
    json out = v;
    for (auto& x : out) x = redacted(x);
    return out;
  }
  return v;
}

}  // namespace

std::string short_value(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  return util::redact(util::truncate_utf8(s, 200));
}

json to_json(const StepReport& s) {
  json findings = json::array();
  std::vector<std::string> order = s.finding_order;
  for (const auto& [k, _] : s.findings.items()) {
    if (std::find(order.begin(), order.end(), k) == order.end()) order.push_back(k);
  }
  for (const auto& name : order) {
    if (s.findings.contains(name)) findings.push_back({{"name", name}, {"value", redacted(s.findings[name])}});
  }
  json messages = json::array();
  for (const auto& m : s.messages) messages.push_back({{"status", std::string(to_string(m.status))}, {"message", m.text}});
  json j = {{"id", s.id},
            {"kind", std::string(to_string(s.kind))},
            {"status", s.status},
            {"findings", findings},
            {"changed", s.changed},
            {"action", s.action},
            {"planned", s.planned},
            {"summary", s.summary},
            {"messages", messages},
            {"duration_ms", s.duration_ms}};
  if (!s.title.empty()) j["title"] = s.title;
  if (!s.target.empty()) j["target"] = s.target;
  if (!s.error.empty()) j["error"] = s.error;
  if (!s.note.empty()) j["note"] = s.note;
  if (s.kind == StepKind::diagnose) j["verdict"] = std::string(to_string(s.verdict));
  if (s.kind == StepKind::verify) j["attempts"] = s.attempts;
  if (s.kind != StepKind::verify && s.attempts > 0) j["attempts"] = s.attempts;
  if (!s.rollback_of.empty()) j["rollback_of"] = s.rollback_of;
  if (s.resumed) j["resumed"] = true;
  return j;
}

json to_json(const RunReport& r) {
  json params = json::object();
  for (const auto& [k, v] : r.params) params[k] = v;
  json steps = json::array();
  for (const auto& s : r.steps) steps.push_back(to_json(s));
  json j = {{"runbook", r.runbook},
            {"status", std::string(to_string(r.status))},
            {"outcome", r.outcome},
            {"diagnosis", std::string(to_string(r.diagnosis))},
            {"dry_run", r.dry_run},
            {"severity", r.severity},
            {"source", r.source},
            {"params", params},
            {"started_at", util::iso8601_utc(r.started_ms)},
            {"duration_ms", r.finished_ms - r.started_ms},
            {"steps", steps}};
  if (!r.refusal.empty()) j["refusal"] = r.refusal;
  if (!r.comms.empty()) j["comms"] = r.comms;
  if (!r.run_id.empty()) j["run_id"] = r.run_id;
  if (!r.awaiting_approval.empty()) j["awaiting_approval"] = r.awaiting_approval;
  if (!r.notifications.empty()) j["notifications"] = r.notifications;
  return j;
}

}  // namespace opsctl::runbook
