#include "cmd/queue/render_schedulers.h"

#include <fmt/format.h>

#include "output/format.h"
#include "output/monitoring.h"
#include "output/table.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

std::string relative(std::int64_t t, std::int64_t now_ms) {
  std::string d = util::format_duration(util::Millis(t > now_ms ? t - now_ms : now_ms - t));
  return t > now_ms ? "in " + d : d + " ago";
}

std::string schedule_text(const queue::SchedulerInfo& s) {
  if (s.pattern) return *s.pattern;
  if (s.every_ms) return "every " + util::format_duration(util::Millis(*s.every_ms));
  return "-";
}

// The opsctl command (or application step) that takes the investigation on from a finding.
std::string next_step(const queue::SchedulerInfo& s, const queue::SchedulersResult& r, const queue::QueueRef& ref) {
  std::string prefix = ref.prefix == "bull" ? "" : " --prefix " + ref.prefix;
  if (s.overdue) {
    return r.queue_paused ? fmt::format("opsctl queue resume {}{}", ref.name, prefix)
                          : fmt::format("opsctl queue inspect {}{}   (workers connected? jobs active?)", ref.name, prefix);
  }
  if (s.next_job_state) return fmt::format("opsctl job show {} {}{}   (why no next job was added)", ref.name,
                                           s.next_job_id.value_or(""), prefix);
  return fmt::format("re-create it from the application: queue.upsertJobScheduler('{}', ...)", s.id);
}

}  // namespace

std::string schedulers_text(const queue::SchedulersResult& r, const queue::QueueRef& ref, std::int64_t now_ms,
                            bool color) {
  std::string out;
  out += fmt::format("Queue:   {}\n", ref.display());
  out += fmt::format("Status:  {}  {}\n", output::colorize(r.status, to_upper(r.status), color), r.summary);
  out += fmt::format("Now:     {} (Redis server clock)\n", util::iso8601_utc(now_ms));
  if (!r.schedulers.empty()) {
    out += "\n";
    output::Table t({"ID", "NAME", "EVERY/PATTERN", "TZ", "NEXT RUN", "NEXT JOB", "STATE", "ITERATIONS"});
    for (const auto& s : r.schedulers) {
      std::string state = s.next_job_state.value_or("none");
      if (s.overdue) state = output::colorize(Status::warning, state + " (overdue)", color);
      else if (s.broken) state = output::colorize(Status::critical, state + " (broken)", color);
      else if (s.ended) state += " (ended)";
      std::string iterations = s.iterations ? std::to_string(*s.iterations) : "-";
      if (s.limit) iterations += "/" + std::to_string(*s.limit);
      t.add_row({s.id + (s.legacy ? " (v5 legacy)" : ""), util::truncate_utf8(s.name.value_or("-"), 40),
                 schedule_text(s), s.tz.value_or("-"),
                 s.next_run_ms ? fmt::format("{} ({})", util::iso8601_utc(*s.next_run_ms), relative(*s.next_run_ms, now_ms))
                               : "-",
                 s.next_job_id.value_or("-"), state, iterations});
    }
    out += t.render();
  }
  bool header = false;
  for (const auto& s : r.schedulers) {
    if (s.finding.empty() && s.ended_reason.empty()) continue;
    if (!header) out += "\nFindings:\n";
    header = true;
    if (!s.finding.empty()) {
      out += fmt::format("  - {}: {}\n    next: {}\n", s.id, s.finding, next_step(s, r, ref));
    } else {
      out += fmt::format("  - {}: ended as configured: {}\n", s.id, s.ended_reason);
    }
  }
  if (!r.problems.empty()) {
    out += "\nProblems:\n";
    for (const auto& p : r.problems) {
      out += fmt::format("  - {}{}\n", p.id.empty() ? "" : "job " + p.id + ": ", p.problem);
    }
  }
  return out;
}

std::string schedulers_nagios(const queue::SchedulersResult& r, const queue::QueueRef& ref) {
  // Any overdue scheduler is a warning, any broken one critical: range "0" alerts above 0.
  std::vector<output::PerfData> perf{{"overdue", static_cast<double>(r.overdue), "", "0", ""},
                                     {"broken", static_cast<double>(r.broken), "", "", "0"},
                                     {"schedulers", static_cast<double>(r.total), "", "", ""}};
  return output::nagios_line("SCHEDULERS", r.status, ref.name + ": " + r.summary, perf);
}

std::string schedulers_prom(const queue::SchedulersResult& r, const queue::QueueRef& ref) {
  output::PromSet out;
  const output::PromLabels base{{"prefix", ref.prefix}, {"queue", ref.name}};
  out.add("opsctl_queue_schedulers", base, static_cast<double>(r.total));
  out.add("opsctl_queue_schedulers_overdue", base, static_cast<double>(r.overdue));
  out.add("opsctl_queue_schedulers_broken", base, static_cast<double>(r.broken));
  out.add("opsctl_queue_schedulers_status", base, static_cast<double>(static_cast<int>(exit_code(r.status))));
  return out.exposition();
}

}  // namespace opsctl::cmd
