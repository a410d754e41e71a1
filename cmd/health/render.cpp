#include "cmd/health/render.h"

#include <fmt/format.h>

#include "output/format.h"
#include "output/monitoring.h"
#include "output/table.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

std::string summary(const std::vector<health::CheckResult>& results) {
  std::vector<std::string> bad;
  int ok = 0;
  for (const auto& r : results) {
    if (r.status == Status::ok) ++ok;
    else bad.push_back(fmt::format("{} {}: {}", r.name, to_string(r.status), util::redact(r.message)));
  }
  if (results.empty()) return "no checks configured";
  std::string out = fmt::format("{} of {} checks ok", ok, results.size());
  if (!bad.empty()) out += fmt::format("; {}", fmt::join(bad, "; "));
  return out;
}

Status status_from_string(const std::string& s) {
  for (Status st : {Status::ok, Status::warning, Status::critical}) {
    if (s == to_string(st)) return st;
  }
  return Status::unknown;
}

// The components a health body listed, indented under their check.
void add_component_rows(output::Table& t, const health::CheckResult& r, bool color) {
  if (!r.details.contains("components") || !r.details["components"].is_array()) return;
  for (const auto& c : r.details["components"]) {
    Status st = status_from_string(c.value("status", "unknown"));
    t.add_row({"  " + c.value("name", ""), "", output::colorize(st, std::string(to_string(st)), color), "",
               util::truncate_utf8(util::redact(c.value("message", "")), 120)});
  }
}

}  // namespace

std::string health_text(const std::vector<health::CheckResult>& results, bool color) {
  Status all = health::overall(results);
  std::string out = fmt::format("Health: {}  {}\n\n", output::colorize(all, to_upper(all), color),
                                fmt::format("{} checks", results.size()));
  output::Table t({"NAME", "KIND", "STATUS", "LATENCY", "MESSAGE"},
                  {output::Align::left, output::Align::left, output::Align::left, output::Align::right});
  for (const auto& r : results) {
    t.add_row({r.name, r.kind, output::colorize(r.status, std::string(to_string(r.status)), color),
               fmt::format("{:.0f}ms", r.latency_ms), util::truncate_utf8(util::redact(r.message), 120)});
    add_component_rows(t, r, color);
  }
  return out + t.render();
}

std::string health_json(const std::vector<health::CheckResult>& results) {
  nlohmann::json doc{{"status", std::string(to_string(health::overall(results)))}, {"checks", nlohmann::json::array()}};
  for (const auto& r : results) doc["checks"].push_back(health::to_json(r));
  return output::json_document(doc);
}

std::string health_nagios(const std::vector<health::CheckResult>& results) {
  std::vector<output::PerfData> perf;
  for (const auto& r : results) {
    perf.push_back({r.name, r.latency_ms / 1000.0, "s", "", ""});
  }
  return output::nagios_line("HEALTH", health::overall(results), summary(results), perf);
}

std::string health_prom(const std::vector<health::CheckResult>& results) {
  output::PromMetric up{"opsctl_check_up", "1 when the check is ok or warning, 0 when critical or unknown", "gauge", {}};
  output::PromMetric latency{"opsctl_check_latency_seconds", "Time the check took", "gauge", {}};
  output::PromMetric status{"opsctl_check_status", "0 ok, 1 warning, 2 critical, 3 unknown", "gauge", {}};
  for (const auto& r : results) {
    std::map<std::string, std::string> labels{{"name", r.name}, {"kind", r.kind}};
    bool is_up = r.status == Status::ok || r.status == Status::warning;
    up.samples.push_back({labels, is_up ? 1.0 : 0.0});
    latency.samples.push_back({labels, r.latency_ms / 1000.0});
    status.samples.push_back({labels, static_cast<double>(static_cast<int>(exit_code(r.status)))});
  }
  return output::prom_exposition({up, latency, status});
}

}  // namespace opsctl::cmd
