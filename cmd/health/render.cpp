#include "cmd/health/render.h"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "output/format.h"
#include "output/monitoring.h"
#include "output/prom_catalog.h"
#include "output/table.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

std::string summary(const std::vector<health::CheckResult>& results) {
  std::vector<std::string> bad, unverified;
  int ok = 0;
  for (const auto& r : results) {
    if (r.status == Status::ok) ++ok;
    else bad.push_back(fmt::format("{} {}: {}", r.name, to_string(r.status), util::redact(r.message)));
    // A pass over an unverified TLS connection is said in the one line monitoring shows.
    auto tls = r.details.find("tls_verified");
    if (r.status == Status::ok && tls != r.details.end() && tls->is_boolean() && !tls->get<bool>()) {
      unverified.push_back(r.name);
    }
  }
  if (results.empty()) return "no checks configured";
  std::string out = fmt::format("{} of {} checks ok", ok, results.size());
  if (!bad.empty()) out += fmt::format("; {}", fmt::join(bad, "; "));
  if (!unverified.empty()) out += fmt::format("; TLS not verified (--insecure): {}", fmt::join(unverified, ", "));
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
  std::set<std::string> labels;
  for (const auto& r : results) {
    const std::string base = output::perf_label(r.name);
    std::string label = base;
    for (int n = 2; !labels.insert(label).second; ++n) label = fmt::format("{}_{}", base, n);
    // Latency is measured to 0.1 ms and judged on that figure: 4 decimals of a second are exact, and
    // --slow publishes as "warn above slow - 0.1 ms", the plugin range of opsctl's own ">= slow".
    const std::string warn = r.slow_ms > 0 ? output::perf_number((r.slow_ms - 0.1) / 1000.0) : "";
    perf.push_back({label, std::round(r.latency_ms * 10) / 10000.0, "s", warn, ""});
  }
  return output::nagios_line("HEALTH", health::overall(results), summary(results), perf);
}

std::string health_prom(const std::vector<health::CheckResult>& results) {
  output::PromSet out;
  for (const auto& r : results) {
    const output::PromLabels labels{{"name", r.name}, {"kind", r.kind}};
    bool is_up = r.status == Status::ok || r.status == Status::warning;
    out.add("opsctl_check_up", labels, is_up ? 1.0 : 0.0);
    out.add("opsctl_check_latency_seconds", labels, r.latency_ms / 1000.0);
    out.add("opsctl_check_status", labels, static_cast<double>(static_cast<int>(exit_code(r.status))));
  }
  return out.exposition();
}

}  // namespace opsctl::cmd
