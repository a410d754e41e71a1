#include "runbook/history.h"

#include <fstream>
#include <random>

#include <fmt/format.h>

#include "audit/audit.h"
#include "core/error.h"
#include "runbook/report.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::runbook::history {

using nlohmann::json;

std::filesystem::path path_for(const std::filesystem::path& audit_log) {
  return audit_log.parent_path() / "runbook-history.jsonl";
}

std::string new_run_id(std::int64_t now_ms) {
  std::string t = util::iso8601_utc(now_ms);  // 2026-12-07T20:15:00.123Z
  std::string compact;
  for (char c : t.substr(0, 19)) {
    if (c == 'T') compact += '-';
    else if (c != ':' && c != '-') compact += c;
  }
  std::random_device rd;
  return fmt::format("{}-{:04x}", compact, rd() & 0xffff);
}

json start_record(const Start& s, std::int64_t now_ms) {
  json params = json::object();
  for (const auto& [k, v] : s.params) params[k] = util::redact(v);
  return {{"type", s.resume ? "resume" : "start"}, {"run_id", s.run_id}, {"time", util::iso8601_utc(now_ms)},
          {"runbook", s.runbook}, {"source", s.source}, {"context", s.context}, {"user", s.user},
          {"host", s.host}, {"params", params}, {"step_ids", s.step_ids}, {"dry_run", s.dry_run}};
}

json step_record(const std::string& run_id, const StepReport& r, std::int64_t now_ms) {
  return {{"type", "step"}, {"run_id", run_id}, {"time", util::iso8601_utc(now_ms)}, {"step", to_json(r)}};
}

json end_record(const RunReport& r, std::int64_t now_ms) {
  json j = {{"type", "end"},
            {"run_id", r.run_id},
            {"time", util::iso8601_utc(now_ms)},
            {"runbook", r.runbook},
            {"outcome", r.outcome},
            {"status", std::string(to_string(r.status))},
            {"exit", r.exit_code},
            {"duration_ms", r.finished_ms - r.started_ms}};
  if (!r.awaiting_approval.empty()) j["awaiting"] = r.awaiting_approval;
  return j;
}

void append(const std::filesystem::path& path, const json& record) {
  std::string line = record.dump(-1, ' ', false, json::error_handler_t::replace) + '\n';
  if (std::string cause = audit::append_line(path, line); !cause.empty()) {
    throw refused_error(fmt::format("run history {}: {}", path.string(), cause));
  }
}

std::vector<json> read(const std::filesystem::path& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("run_id") && j["run_id"].is_string()) out.push_back(std::move(j));
  }
  return out;
}

std::vector<Run> fold(const std::vector<json>& records) {
  std::vector<Run> runs;
  std::map<std::string, std::size_t> index;
  for (const auto& rec : records) {
    std::string id = rec["run_id"], type = rec.value("type", "");
    auto it = index.find(id);
    if (type == "start" && it == index.end()) {
      Run r;
      r.run_id = id;
      r.runbook = rec.value("runbook", "");
      r.source = rec.value("source", "");
      r.context = rec.value("context", "");
      r.user = rec.value("user", "");
      r.host = rec.value("host", "");
      r.started_at = rec.value("time", "");
      r.dry_run = rec.value("dry_run", false);
      const json params = rec.value("params", json::object());
      for (const auto& [k, v] : params.items()) {
        r.params.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
      }
      r.step_ids = rec.value("step_ids", std::vector<std::string>{});
      r.outcome = "interrupted";
      index[id] = runs.size();
      runs.push_back(std::move(r));
      continue;
    }
    if (it == index.end()) continue;
    Run& r = runs[it->second];
    if (type == "resume") {
      ++r.resumes;
      r.outcome = "interrupted";
      r.awaiting.clear();
    } else if (type == "step" && rec.contains("step") && rec["step"].is_object()) {
      std::string step = rec["step"].value("id", "");
      if (!r.steps.count(step)) r.step_order.push_back(step);
      r.steps[step] = rec["step"];
    } else if (type == "end") {
      r.outcome = rec.value("outcome", "");
      r.status = rec.value("status", "");
      r.exit_code = rec.value("exit", -1);
      r.duration_ms += rec.value("duration_ms", std::int64_t{0});
      r.awaiting = rec.value("awaiting", "");
    }
  }
  return runs;
}

StepReport step_from_json(const json& j) {
  StepReport r;
  r.id = j.value("id", "");
  r.title = j.value("title", "");
  r.action = j.value("action", "");
  std::string kind = j.value("kind", "diagnose");
  r.kind = kind == "fix" ? StepKind::fix : kind == "verify" ? StepKind::verify : StepKind::diagnose;
  r.status = j.value("status", "not-run");
  std::string verdict = j.value("verdict", "ok");
  for (Status s : {Status::ok, Status::warning, Status::critical, Status::unknown}) {
    if (verdict == to_string(s)) r.verdict = s;
  }
  const json findings = j.value("findings", json::array()), messages = j.value("messages", json::array());
  for (const auto& f : findings) {
    r.findings[f.value("name", "")] = f.value("value", json());
    r.finding_order.push_back(f.value("name", ""));
  }
  r.changed = j.value("changed", std::int64_t{0});
  r.planned = j.value("planned", std::int64_t{0});
  r.summary = j.value("summary", "");
  r.target = j.value("target", "");
  r.error = j.value("error", "");
  r.note = j.value("note", "");
  r.duration_ms = j.value("duration_ms", std::int64_t{0});
  r.attempts = j.value("attempts", 0);
  for (const auto& m : messages) {
    std::string st = m.value("status", "ok");
    Status s = st == "critical" ? Status::critical : st == "warning" ? Status::warning : st == "unknown" ? Status::unknown : Status::ok;
    r.messages.push_back({s, m.value("message", "")});
  }
  return r;
}

bool completed(const std::string& status) {
  return status != "refused" && status != "awaiting-approval" && status != "failed" && status != "not-run" &&
         status != "running";
}

bool resumable(const Run& r) {
  return !r.dry_run && (r.outcome == "interrupted" || r.outcome == "awaiting-approval" || r.outcome == "refused" ||
                        r.outcome == "failed");
}

json to_json(const Run& r) {
  json params = json::object();
  for (const auto& [k, v] : r.params) params[k] = v;
  json steps = json::array();
  for (const auto& id : r.step_order) {
    const json& s = r.steps.at(id);
    steps.push_back({{"id", id}, {"kind", s.value("kind", "")}, {"status", s.value("status", "")},
                     {"duration_ms", s.value("duration_ms", 0)}, {"changed", s.value("changed", 0)}});
  }
  json j = {{"run_id", r.run_id},   {"runbook", r.runbook},   {"source", r.source},
            {"started_at", r.started_at}, {"context", r.context}, {"user", r.user},
            {"host", r.host},       {"params", params},       {"steps", steps},
            {"outcome", r.outcome}, {"status", r.status},     {"exit", r.exit_code},
            {"duration_ms", r.duration_ms}, {"resumes", r.resumes}, {"dry_run", r.dry_run},
            {"resumable", resumable(r)}};
  if (!r.awaiting.empty()) j["awaiting"] = r.awaiting;
  return j;
}

}  // namespace opsctl::runbook::history
