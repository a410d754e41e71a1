// The markdown transcript of a run: what was found, what was done, how it was verified, when, and
// the comms template filled in, ready to paste into the incident channel or document.
#include <algorithm>

#include <fmt/format.h>

#include "runbook/report.h"
#include "util/duration.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::runbook {
namespace {

using nlohmann::json;

// Text inside a markdown table cell: no pipes or newlines.
std::string cell(std::string s) {
  for (auto& c : s) {
    if (c == '|') c = '/';
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "waiting=80, paused=true, ..." for scalar findings; lists and maps are left to the JSON output.
std::string scalar_findings(const StepReport& s) {
  std::vector<std::string> parts;
  for (const auto& name : s.finding_order) {
    if (!s.findings.contains(name)) continue;
    const json& v = s.findings[name];
    if (v.is_structured() || name == "summary" || name == "message") continue;
    if (v.is_string() && v.get_ref<const std::string&>().size() > 120) continue;
    parts.push_back(fmt::format("{}={}", name, short_value(v)));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

void step_entry(std::string& out, const StepReport& s) {
  std::string label = s.title.empty() ? s.id : fmt::format("{} ({})", s.title, s.id);
  std::string what = s.summary.empty() ? s.action : fmt::format("{}: {}", s.action, s.summary);
  out += fmt::format("- **{}**: {} — {}", label, s.status, what);
  if (s.kind == StepKind::verify && s.attempts > 0) {
    out += fmt::format(" ({} check{} in {})", s.attempts, s.attempts == 1 ? "" : "s",
                       util::format_duration(std::chrono::milliseconds(s.duration_ms)));
  }
  out += "\n";
  if (!s.note.empty()) out += fmt::format("  - {}\n", s.note);
  if (!s.error.empty()) out += fmt::format("  - error: {}\n", s.error);
  for (const auto& m : s.messages) out += fmt::format("  - **{}**: {}\n", to_string(m.status), m.text);
  if (s.kind == StepKind::diagnose && !s.findings.empty()) {
    if (std::string f = scalar_findings(s); !f.empty()) out += fmt::format("  - findings: {}\n", f);
  }
  if (s.action == "exec" && s.findings.value("ran", false)) {
    for (const char* stream : {"stdout", "stderr"}) {
      std::string text = util::redact(util::truncate_utf8(s.findings.value(stream, ""), 2000));
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (text.empty()) continue;
      std::string block;  // indented under the list item, line by line
      for (std::size_t pos = 0; pos <= text.size();) {
        std::size_t nl = std::min(text.find('\n', pos), text.size());
        block += "    " + text.substr(pos, nl - pos) + "\n";
        pos = nl + 1;
      }
      out += fmt::format("  - {}:\n\n    ```\n{}    ```\n", stream, block);
    }
  }
}

}  // namespace

std::string transcript_markdown(const RunReport& r, const TranscriptInfo& info) {
  std::string out;
  out += fmt::format("# Runbook {}: {} ({})\n\n", r.runbook, upper(to_string(r.status)), r.outcome);
  out += "| | |\n|---|---|\n";
  out += fmt::format("| Runbook | {}{} |\n", cell(r.runbook), r.severity.empty() ? "" : fmt::format(" ({})", r.severity));
  if (!r.description.empty()) out += fmt::format("| Purpose | {} |\n", cell(r.description));
  out += fmt::format("| Started | {} |\n", util::iso8601_utc(r.started_ms));
  out += fmt::format("| Duration | {} |\n", util::format_duration(std::chrono::milliseconds(r.finished_ms - r.started_ms)));
  out += fmt::format("| Diagnosis | {} |\n", to_string(r.diagnosis));
  out += fmt::format("| Outcome | {} (exit {}) |\n", r.outcome, r.exit_code);
  out += fmt::format("| Dry run | {} |\n", r.dry_run ? "yes: nothing was changed" : "no");
  out += fmt::format("| Operator | {}@{} |\n", cell(info.user), cell(info.host));
  out += fmt::format("| Context | {} |\n", info.context.empty() ? "none" : cell(info.context));
  out += fmt::format("| Command | `{}` |\n", cell(util::redact(info.command_line)));
  std::vector<std::string> params;
  for (const auto& [k, v] : r.params) params.push_back(fmt::format("{}={}", k, v));
  out += fmt::format("| Parameters | {} |\n", params.empty() ? "none" : cell(fmt::format("{}", fmt::join(params, ", "))));
  if (!r.refusal.empty()) out += fmt::format("| Refused | {} |\n", cell(r.refusal));

  struct Section {
    const char* title;
    bool (*member)(const StepReport&);
  };
  const Section sections[] = {
      {"What was found", [](const StepReport& s) { return s.kind == StepKind::diagnose; }},
      {"What was done", [](const StepReport& s) { return s.kind == StepKind::fix; }},
      {"Verification", [](const StepReport& s) { return s.kind == StepKind::verify; }},
  };
  for (const auto& sec : sections) {
    std::string body;
    for (const auto& s : r.steps) {
      if (sec.member(s)) step_entry(body, s);
    }
    if (!body.empty()) out += fmt::format("\n## {}\n\n{}", sec.title, body);
  }
  out += "\n## Timeline\n\n| Step | Kind | Status | Started | Took |\n|---|---|---|---|---|\n";
  for (const auto& s : r.steps) {
    if (s.status == "skipped" || s.status == "not-run") {
      out += fmt::format("| {} | {} | {} | | |\n", s.id, to_string(s.kind), s.status);
      continue;
    }
    out += fmt::format("| {} | {} | {} | {} | {} |\n", s.id, to_string(s.kind), s.status,
                       util::iso8601_utc(s.started_ms).substr(11),
                       util::format_duration(std::chrono::milliseconds(s.duration_ms)));
  }
  if (!r.comms.empty()) out += fmt::format("\n## Comms\n\n{}\n", util::redact(r.comms));
  return out;
}

}  // namespace opsctl::runbook
