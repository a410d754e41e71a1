#include "cmd/queue/render.h"

#include <fmt/format.h>

#include "output/format.h"
#include "output/monitoring.h"
#include "output/table.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

std::string count_text(const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : "?"; }

std::string problems_text(const std::vector<queue::Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += fmt::format("  - {}{}\n", p.id.empty() ? "" : "job " + p.id + ": ", p.problem);
  return out;
}

}  // namespace

std::string inspect_text(const queue::InspectResult& r, bool color) {
  using output::Align;
  std::string out;
  out += fmt::format("Queue:     {} ({}{})\n", r.ref.display(), queue::to_string(r.shape.layout),
                     r.shape.version ? ", " + *r.shape.version : "");
  out += fmt::format("Status:    {}  {}\n", output::colorize(r.status, to_upper(r.status), color), r.summary);
  out += fmt::format("Paused:    {}\n", r.shape.paused ? output::colorize(Status::warning, "yes", color) : "no");
  if (r.workers) {
    out += fmt::format("Workers:   {}\n", r.workers->size());
  } else {
    out += "Workers:   unknown (CLIENT LIST is not allowed on this server)\n";
  }
  if (r.oldest_waiting_id) {
    std::string age = r.oldest_waiting_timestamp
                          ? util::format_duration(util::Millis(r.now_ms - *r.oldest_waiting_timestamp))
                          : "unknown time";
    out += fmt::format("Oldest:    job {} waiting for {}\n", *r.oldest_waiting_id, age);
  }
  if (r.stalled > 0) {
    out += fmt::format("Stalled:   {} active job{} without a lock (the worker died): {}{}\n", r.stalled,
                       r.stalled == 1 ? "" : "s", fmt::join(r.stalled_ids, ", "),
                       r.stalled > static_cast<std::int64_t>(r.stalled_ids.size()) ? ", ..." : "");
  }
  out += "\n";
  output::Table counts({"STATE", "JOBS"}, {Align::left, Align::right});
  for (const auto& [state, n] : r.counts) counts.add_row({state, count_text(n)});
  out += counts.render();
  if (!r.failures.empty()) {
    out += fmt::format("\nFailures by reason ({} most recent failed jobs):\n", r.failures_sampled);
    output::Table t({"COUNT", "REASON", "SAMPLE IDS"}, {Align::right, Align::left, Align::left});
    for (const auto& f : r.failures) {
      t.add_row({std::to_string(f.count), util::truncate_utf8(f.reason, 80), fmt::format("{}", fmt::join(f.sample_ids, ", "))});
    }
    out += t.render();
  }
  if (r.listed_state) {
    out += fmt::format("\nJobs in {} ({} shown):\n", *r.listed_state, r.jobs.size());
    output::Table t({"ID", "NAME", "CREATED", "FINISHED", "ATTEMPTS", "FAILED REASON"});
    for (const auto& j : r.jobs) {
      t.add_row({j.id, util::truncate_utf8(j.name.value_or("-"), 40),
                 j.timestamp ? util::iso8601_utc(*j.timestamp) : "-",
                 j.finished_on ? util::iso8601_utc(*j.finished_on) : "-",
                 j.attempts_made ? std::to_string(*j.attempts_made) : "-",
                 util::truncate_utf8(j.failed_reason.value_or(""), 60)});
    }
    out += t.render();
    for (const auto& j : r.jobs) out += problems_text(j.problems);
  }
  if (!r.problems.empty()) out += "\nProblems:\n" + problems_text(r.problems);
  return out;
}

std::string inspect_nagios(const queue::InspectResult& r) {
  const auto& t = r.thresholds;
  // `backlog` (waiting + prioritized + legacy paused) carries the wait thresholds, `failed` its own.
  std::int64_t backlog = queue::count_of(r.counts, "waiting") + queue::count_of(r.counts, "prioritized") +
                         queue::count_of(r.counts, "paused");
  std::vector<output::PerfData> perf{
      {"backlog", static_cast<double>(backlog), "", std::to_string(t.warn_wait), std::to_string(t.crit_wait)}};
  for (const auto& [state, n] : r.counts) {
    output::PerfData p{state, static_cast<double>(n.value_or(0)), "", "", ""};
    if (state == "failed") { p.warn = std::to_string(t.warn_failed); p.crit = std::to_string(t.crit_failed); }
    perf.push_back(p);
  }
  if (r.workers) perf.push_back({"workers", static_cast<double>(r.workers->size()), "", "", ""});
  return output::nagios_line("QUEUE", r.status, r.ref.name + ": " + r.summary, perf);
}

void add_jobs_samples(output::PromMetric& jobs, const queue::QueueRef& ref, const queue::Counts& counts) {
  for (const auto& [state, n] : counts) {
    if (n) jobs.samples.push_back({{{"prefix", ref.prefix}, {"queue", ref.name}, {"state", state}}, static_cast<double>(*n)});
  }
}

std::string inspect_prom(const queue::InspectResult& r) {
  std::map<std::string, std::string> base{{"prefix", r.ref.prefix}, {"queue", r.ref.name}};
  output::PromMetric jobs{"opsctl_queue_jobs", "Jobs in a BullMQ queue by state", "gauge", {}};
  add_jobs_samples(jobs, r.ref, r.counts);
  std::vector<output::PromMetric> metrics{jobs};
  metrics.push_back({"opsctl_queue_paused", "1 when the queue is paused", "gauge", {{base, r.shape.paused ? 1.0 : 0.0}}});
  if (r.workers) {
    metrics.push_back({"opsctl_queue_workers", "Workers connected to the queue", "gauge",
                       {{base, static_cast<double>(r.workers->size())}}});
  }
  double age = r.oldest_waiting_timestamp ? (r.now_ms - *r.oldest_waiting_timestamp) / 1000.0 : 0.0;
  metrics.push_back({"opsctl_queue_oldest_waiting_age_seconds", "Age of the oldest waiting job (0 when none)",
                     "gauge", {{base, age}}});
  metrics.push_back({"opsctl_queue_status", "Check status: 0 ok, 1 warning, 2 critical, 3 unknown", "gauge",
                     {{base, static_cast<double>(static_cast<int>(exit_code(r.status)))}}});
  return output::prom_exposition(metrics);
}

}  // namespace opsctl::cmd
