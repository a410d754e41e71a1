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

std::string checks_text(const std::vector<queue::Check>& checks, bool color) {
  std::string out = "Checks:\n";
  output::Table t({"LEVEL", "CHECK", "FINDING"});
  for (const auto& c : checks) {
    t.add_row({output::colorize(c.level, std::string(to_upper(c.level)), color), c.name, c.message});
    if (!c.why.empty()) t.add_row({"", "", "why: " + c.why});
  }
  std::string table = t.render();
  // The table's header line is dropped: the section title says what it is.
  out += table.substr(table.find('\n') + 1);
  return out;
}

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
  if (r.figures.oldest_waiting_id) {
    const auto& since = r.figures.oldest_waiting_since;
    out += fmt::format("Oldest:    job {} waiting for {}\n", *r.figures.oldest_waiting_id,
                       since ? queue::age_text(r.now_ms - *since) : "unknown time");
  }
  if (r.stalled > 0) {
    out += fmt::format("Stalled:   {} active job{} without a lock (the worker died): {}{}\n", r.stalled,
                       r.stalled == 1 ? "" : "s", fmt::join(r.stalled_ids, ", "),
                       r.stalled > static_cast<std::int64_t>(r.stalled_ids.size()) ? ", ..." : "");
  }
  out += "\n" + checks_text(r.checks, color) + "\n";
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
  if (r.schedulers && (r.schedulers->overdue > 0 || r.schedulers->broken > 0)) {
    out += fmt::format("\nJob Schedulers not on time (of {}; all of them: opsctl queue schedulers {}):\n",
                       r.schedulers->total, r.ref.name);
    output::Table t({"ID", "NEXT RUN", "NEXT JOB", "STATE", "FINDING"});
    for (const auto& sc : r.schedulers->schedulers) {
      if (!sc.overdue && !sc.broken) continue;
      t.add_row({sc.id, sc.next_run_ms ? util::iso8601_utc(*sc.next_run_ms) : "-", sc.next_job_id.value_or("-"),
                 sc.next_job_state.value_or("missing"), util::truncate_utf8(sc.finding, 100)});
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

std::vector<output::PerfData> checks_perfdata(const std::vector<queue::Check>& checks) {
  std::vector<output::PerfData> perf;
  auto num = [](const std::optional<double>& v) { return v ? output::perf_number(*v) : std::string(); };
  for (const auto& c : checks) {
    if (!c.value || c.name == "clock" || c.name == "data") continue;
    // "failed" and "paused" are also counts of states in the same line: the checks get their own labels.
    std::string label = c.name == "failed" ? "failed_window" : c.name == "paused" ? "is_paused" : c.name;
    perf.push_back({label, *c.value, c.unit == "/min" ? "" : c.unit,
                    num(c.warn), num(c.crit)});
  }
  return perf;
}

std::string inspect_nagios(const queue::InspectResult& r) {
  // Every check's figure carries its own thresholds (plugin range semantics: alert above N).
  std::vector<output::PerfData> perf = checks_perfdata(r.checks);
  for (const auto& [state, n] : r.counts) perf.push_back({state, static_cast<double>(n.value_or(0)), "", "", ""});
  if (r.workers) perf.push_back({"workers", static_cast<double>(r.workers->size()), "", "", ""});
  return output::nagios_line("QUEUE", r.status, r.ref.name + ": " + r.summary, perf);
}

// Samples of one queue: every one carries the queue's own labels on top of the run's.
void add_queue_metrics(output::PromSet& out, const queue::QueueFigures& f, const std::vector<queue::Check>& checks) {
  const output::PromLabels base{{"prefix", f.ref.prefix}, {"queue", f.ref.name}};
  auto with = [&](const char* k, const std::string& v) { auto l = base; l[k] = v; return l; };
  for (const auto& [state, n] : f.counts) {
    if (n) out.add("opsctl_queue_jobs", with("state", state), static_cast<double>(*n));
  }
  out.add("opsctl_queue_paused", base, f.shape.paused ? 1.0 : 0.0);
  double window = static_cast<double>(f.window_ms) / 1000.0;
  out.add("opsctl_queue_window_seconds", base, window);
  out.add("opsctl_queue_window_failed_jobs", base, static_cast<double>(f.failed.in_window));
  out.add("opsctl_queue_window_completed_jobs", base, static_cast<double>(f.completed.in_window));
  out.add("opsctl_queue_window_exact", base, f.completed.exact && f.failed.exact ? 1.0 : 0.0);
  auto quant = [&](const char* name, const queue::Quantiles& q) {
    for (auto [label, v] : {std::pair{"0.5", q.p50}, {"0.95", q.p95}, {"1", q.max}}) {
      if (v) out.add(name, with("quantile", label), static_cast<double>(*v) / 1000.0);
    }
  };
  quant("opsctl_queue_processing_seconds", f.processing);
  quant("opsctl_queue_wait_seconds", f.wait);
  if (auto last = f.last_finished_ms()) {
    out.add("opsctl_queue_last_finished_age_seconds", base, static_cast<double>(f.now_ms - *last) / 1000.0);
  }
  out.add("opsctl_queue_schedulers_overdue", base, static_cast<double>(f.schedulers_overdue));
  for (const auto& c : checks) {
    if (c.name != "data" && c.name != "clock") {
      out.add("opsctl_queue_check_status", with("check", c.name), static_cast<double>(static_cast<int>(exit_code(c.level))));
    }
  }
}

std::string inspect_prom(const queue::InspectResult& r, const output::PromLabels& run) {
  output::PromSet out(run);
  const output::PromLabels base{{"prefix", r.ref.prefix}, {"queue", r.ref.name}};
  out.add("opsctl_queue_status", base, static_cast<double>(static_cast<int>(exit_code(r.status))));
  if (r.workers) out.add("opsctl_queue_workers", base, static_cast<double>(r.workers->size()));
  const auto& since = r.figures.oldest_waiting_since;
  double age = since ? static_cast<double>(r.now_ms - *since) / 1000.0 : 0.0;
  out.add("opsctl_queue_oldest_waiting_age_seconds", base, age);
  add_queue_metrics(out, r.figures, r.checks);
  return out.exposition();
}

}  // namespace opsctl::cmd
