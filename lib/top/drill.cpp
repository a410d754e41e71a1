#include "top/drill.h"

#include <algorithm>

#include <fmt/format.h>

#include "queue/checks.h"
#include "util/text.h"

namespace opsctl::top {
namespace {

std::string lock_text(const std::optional<std::int64_t>& ttl) {
  if (!ttl) return "NO LOCK";
  if (*ttl < 0) return "no expiry";
  return "locked " + age_cell(*ttl);
}

SchedulerRow scheduler_row(const queue::SchedulerInfo& i, std::int64_t now_ms) {
  SchedulerRow r{i.id, std::nullopt, "ok", Status::ok};
  if (i.next_run_ms) r.next_in_ms = *i.next_run_ms - now_ms;
  if (i.broken) r = {i.id, r.next_in_ms, "broken", Status::critical};
  else if (i.overdue) r = {i.id, r.next_in_ms, "overdue", Status::warning};
  else if (i.ended) r.state = "ended";
  return r;
}

}  // namespace

std::vector<ReasonRow> group_reasons(const std::vector<queue::FailureGroup>& groups,
                                     const std::vector<queue::JobRow>& failed_jobs, std::int64_t now_ms) {
  std::vector<ReasonRow> out;
  for (const auto& g : groups) {
    ReasonRow r{g.reason, g.count, std::nullopt, g.sample_ids};
    for (const auto& j : failed_jobs) {
      const std::string reason = queue::failure_reason_key(j.failed_reason);
      if (reason != g.reason || !j.finished_on) continue;
      const auto age = std::max<std::int64_t>(0, now_ms - *j.finished_on);
      if (!r.newest_age_ms || age < *r.newest_age_ms) r.newest_age_ms = age;
    }
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const ReasonRow& a, const ReasonRow& b) { return a.count > b.count; });
  return out;
}

Drill make_drill(const queue::InspectResult& failed, const std::vector<queue::JobRow>& delayed) {
  Drill d;
  d.ref = failed.ref;
  d.status = failed.status;
  d.summary = failed.summary;
  d.paused = failed.shape.paused;
  d.failures_sampled = failed.failures_sampled;
  d.reasons = group_reasons(failed.failures, failed.jobs, failed.now_ms);
  for (const auto& a : failed.figures.active) {
    ActiveRow r{a.id, a.name.value_or(""), std::nullopt, lock_text(a.lock_ttl_ms), !a.lock_ttl_ms};
    if (a.processed_on) r.age_ms = std::max<std::int64_t>(0, failed.now_ms - *a.processed_on);
    d.active.push_back(std::move(r));
  }
  for (const auto& j : delayed) {
    DelayedRow r{j.id, j.name.value_or(""), std::nullopt};
    if (j.timestamp) r.added_age_ms = std::max<std::int64_t>(0, failed.now_ms - *j.timestamp);
    d.delayed.push_back(std::move(r));
  }
  if (failed.schedulers) {
    for (const auto& i : failed.schedulers->schedulers) d.schedulers.push_back(scheduler_row(i, failed.now_ms));
  }
  return d;
}

std::string reason_pattern(const std::string& reason) {
  std::string out = "^";
  for (char c : reason) {
    if (std::string_view("\\^$.|?*+()[]{}/").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::vector<Line> drill_frame(const Drill& d, const Snapshot& s, const View& v, int width, int height) {
  auto lines = header(s, v, "queue " + d.ref.name, width);
  lines.push_back({fmt::format("{} {}{}: {}", to_upper(d.status), d.ref.name, d.paused ? " (PAUSED)" : "", d.summary), d.status, true});
  lines.push_back({fmt::format("FAILURES BY REASON (newest {} failed jobs)   COUNT  NEWEST", d.failures_sampled), Status::ok, false, false, true});
  if (d.reasons.empty()) lines.push_back({"  none"});
  const int reason_width = std::max(20, width - 18);
  for (std::size_t i = 0; i < d.reasons.size() && i < 8; ++i) {
    const auto& r = d.reasons[i];
    std::string text = util::truncate_utf8(r.reason, static_cast<std::size_t>(reason_width - 2));
    text.resize(static_cast<std::size_t>(std::max(0, reason_width - 2)), ' ');
    lines.push_back({fmt::format("{} {} {:>6} {:>7}", i == v.selected ? ">" : " ", text, r.count, age_cell(r.newest_age_ms)),
                     Status::critical, true, i == v.selected});
  }
  lines.push_back({fmt::format("ACTIVE ({} shown)   ID  NAME  AGE  LOCK", d.active.size()), Status::ok, false, false, true});
  for (std::size_t i = 0; i < d.active.size() && i < 5; ++i) {
    const auto& a = d.active[i];
    lines.push_back({fmt::format("  {}  {}  {}  {}", a.id, a.name, age_cell(a.age_ms), a.lock), a.stuck ? Status::critical : Status::ok, a.stuck});
  }
  lines.push_back({"DELAYED HEAD   ID  NAME  ADDED", Status::ok, false, false, true});
  for (std::size_t i = 0; i < d.delayed.size() && i < 3; ++i) {
    lines.push_back({fmt::format("  {}  {}  {} ago", d.delayed[i].id, d.delayed[i].name, age_cell(d.delayed[i].added_age_ms))});
  }
  lines.push_back({"JOB SCHEDULERS   ID  NEXT RUN  STATE", Status::ok, false, false, true});
  for (std::size_t i = 0; i < d.schedulers.size() && i < 4; ++i) {
    const auto& r = d.schedulers[i];
    std::string next = !r.next_in_ms ? "-" : *r.next_in_ms >= 0 ? "in " + age_cell(*r.next_in_ms) : age_cell(-*r.next_in_ms) + " late";
    lines.push_back({fmt::format("  {}  {}  {}", r.id, next, r.state), r.level, r.level != Status::ok});
  }
  std::string status = v.message.empty() ? "Esc back  Up/Down reason  r retry reason  j job  R resume  u unstick" : v.message;
  if (v.message.empty() && !v.read_only.empty()) status = "read-only: " + v.read_only;
  if (height <= 0) return lines;
  lines = fit(std::move(lines), width, height - 1);
  lines.push_back({util::truncate_utf8(status, static_cast<std::size_t>(width))});
  return lines;
}

}  // namespace opsctl::top
