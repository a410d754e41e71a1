#include "queue/job_text.h"

#include <utility>

#include <fmt/format.h>

#include "core/status.h"
#include "output/format.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

std::string field_line(const char* label, const nlohmann::json& v) {
  if (v.is_null()) return "";
  std::string text = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return fmt::format("{:<14}{}\n", label, printable(text));
}

std::string string_or(const nlohmann::json& v, const std::string& fallback) {
  return v.is_string() ? v.get<std::string>() : fallback;
}

}  // namespace

std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out;
}

Status state_status(const nlohmann::json& doc) {
  const auto state = doc.value("state", std::string("unknown"));
  if (state == "failed") return Status::critical;
  if (state == "unknown") return Status::unknown;
  return Status::ok;
}

std::string job_text(const nlohmann::json& j, bool color) {
  std::string out;
  out += field_line("Job:", j["prefix"].get<std::string>() + ":" + j["queue"].get<std::string>() + ":" + j["id"].get<std::string>());
  out += field_line("Name:", j["name"]);
  out += fmt::format("{:<14}{}\n", "State:", output::colorize(state_status(j), j["state"].get<std::string>(), color));
  out += field_line("Attempts:", fmt::format("{} made{}", j["attempts_made"].dump(),
                                              j["attempts_started"].is_null() ? "" : ", " + j["attempts_started"].dump() + " started"));
  for (auto [label, key] : {std::pair{"Created:", "timestamp"}, {"Processed:", "processed_on"}, {"Finished:", "finished_on"},
                            {"Delay (ms):", "delay"}, {"Priority:", "priority"}, {"Worker:", "worker"},
                            {"Lock TTL ms:", "lock_ttl_ms"}, {"Parent:", "parent_key"},
                            {"Failed:", "failed_reason"}, {"Will fail:", "will_fail_reason"}}) {
    out += field_line(label, j[key]);
  }
  out += field_line("Data:", j["data"]);
  out += field_line("Opts:", j["opts"]);
  out += field_line("Return value:", j["returnvalue"]);
  out += field_line("Progress:", j["progress"]);
  if (!j["stacktrace"].empty()) {
    out += "Stacktrace (last attempt):\n";
    std::string last = j["stacktrace"].back().is_string() ? j["stacktrace"].back().get<std::string>() : j["stacktrace"].back().dump();
    out += "  " + printable(util::truncate_utf8(last, 4000)) + "\n";
  }
  if (!j["logs"].empty()) {
    out += fmt::format("Logs ({} lines, last {} shown):\n", j["log_count"].get<long long>(), j["logs"].size());
    for (const auto& l : j["logs"]) out += "  " + printable(l.get<std::string>()) + "\n";
  }
  if (!j["problems"].empty()) {
    out += output::colorize(Status::warning, "Problems:", color) + "\n";
    for (const auto& p : j["problems"]) out += "  - " + printable(p["problem"].get<std::string>()) + "\n";
  }
  return out;
}

std::string job_summary(const nlohmann::json& j) {
  std::string reason = string_or(j["failed_reason"], "");
  reason = reason.substr(0, reason.find('\n'));
  const auto attempts = j["attempts_made"].is_number() ? j["attempts_made"].get<long long>() : 0;
  return printable(fmt::format("job {} {} {} attempts {}: {}", string_or(j["id"], ""), string_or(j["name"], ""),
                               string_or(j["state"], "unknown"), attempts, reason));
}

}  // namespace opsctl::queue
