#include "cmd/runbook/render.h"

#include <fmt/format.h>

#include "output/format.h"
#include "output/table.h"
#include "util/duration.h"

namespace opsctl::cmd {
namespace {

using runbook::StepReport;

// The colour of a step status word.
Status tone(const StepReport& s) {
  const std::string& st = s.status;
  if (st == "failed" || st == "critical") return Status::critical;
  if (st == "refused" || st == "warning" || st == "dry-run") return Status::warning;
  if (st == "unknown") return Status::unknown;
  return Status::ok;
}

// Status words of steps that did nothing stay plain.
std::string status_word(const StepReport& s, bool color) {
  bool idle = s.status == "skipped" || s.status == "not-run" || s.status == "nothing-to-do";
  return idle ? s.status : output::colorize(tone(s), s.status, color);
}

std::string detail(const StepReport& s) {
  if (!s.note.empty()) return s.note;
  if (!s.error.empty()) return s.error;
  std::string d = s.summary;
  if (s.kind == runbook::StepKind::verify && s.attempts > 0) {
    d += fmt::format(" ({} check{} in {})", s.attempts, s.attempts == 1 ? "" : "s",
                     util::format_duration(std::chrono::milliseconds(s.duration_ms)));
  }
  return d;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string next_step_hint(const runbook::RunReport& r) {
  if (r.outcome == "dry-run") {
    bool fixes = false;
    for (const auto& s : r.steps) fixes = fixes || s.status == "dry-run";
    return fixes ? "Nothing was changed. Run without --dry-run to apply the fixes (each asks first; --yes without a TTY)."
                 : "Nothing was changed, and no fix would run.";
  }
  if (r.outcome == "refused") return "Stopped before changing anything more.";
  if (r.outcome == "rolled-back") return "The fixes were rolled back.";
  if (r.outcome == "rollback-failed") return "The rollback failed too: check the steps above by hand.";
  if (r.outcome == "unresolved") return "Nothing this runbook can fix was found; see the messages above.";
  return "";
}

}  // namespace

std::string render_run(const runbook::RunReport& r, bool color) {
  std::string out = fmt::format("Runbook {}{}: {} ({}){}\n", r.runbook,
                                r.severity.empty() ? "" : fmt::format(" ({})", r.severity),
                                output::colorize(r.status, upper(to_string(r.status)), color), r.outcome,
                                "");
  output::Table table({"KIND", "STEP", "STATUS", "DETAIL"});
  for (const auto& s : r.steps) {
    table.add_row({std::string(to_string(s.kind)), s.id, status_word(s, color), detail(s)});
  }
  out += table.render();
  for (const auto& s : r.steps) {
    for (const auto& m : s.messages) {
      out += fmt::format("{}: {}: {}\n", s.id, output::colorize(m.status, std::string(to_string(m.status)), color), m.text);
    }
  }
  if (std::string hint = next_step_hint(r); !hint.empty()) out += hint + "\n";
  return out;
}

std::string step_started_line(const StepReport& r) {
  return fmt::format("... {} ({}: {})\n", r.id, to_string(r.kind), r.action);
}

std::string step_finished_line(const StepReport& r, bool color) {
  return fmt::format("    {} {}\n", status_word(r, color), detail(r));
}

}  // namespace opsctl::cmd
