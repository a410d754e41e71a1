#include "queue/scheduler_judge.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "util/duration.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_pending(const std::string& state) {
  return state == "delayed" || state == "waiting" || state == "prioritized" || state == "waiting-children";
}

}  // namespace

std::optional<std::int64_t> parse_millis(std::string_view text) {
  if (auto v = util::parse_int(text)) return v;
  if (text.empty() || text.size() > 40) return std::nullopt;
  std::string s(text);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d) || std::fabs(d) > 9.0e15) return std::nullopt;
  return static_cast<std::int64_t>(std::floor(d));
}

std::optional<LegacyKey> parse_legacy_key(std::string_view key) {
  // name:jobId:endDate:tz:suffix; the suffix (a cron pattern may hold ':') is everything after the 4th ':'.
  std::size_t c[4];
  std::size_t from = 0;
  for (auto& pos : c) {
    pos = key.find(':', from);
    if (pos == std::string_view::npos) return std::nullopt;
    from = pos + 1;
  }
  std::string_view end_date = key.substr(c[1] + 1, c[2] - c[1] - 1);
  std::string_view suffix = key.substr(c[3] + 1);
  if (!end_date.empty() && !all_digits(end_date)) return std::nullopt;
  if (suffix.empty() || (suffix.find(' ') == std::string_view::npos && !all_digits(suffix))) return std::nullopt;
  LegacyKey k;
  k.name = std::string(key.substr(0, c[0]));
  k.job_id = std::string(key.substr(c[0] + 1, c[1] - c[0] - 1));
  if (!end_date.empty()) k.end_date_ms = util::parse_int(end_date);
  std::string_view tz = key.substr(c[2] + 1, c[3] - c[2] - 1);
  if (!tz.empty()) k.tz = std::string(tz);
  if (all_digits(suffix)) k.every_ms = util::parse_int(suffix);
  else k.pattern = std::string(suffix);
  return k;
}

const std::vector<std::string>& scheduler_hash_fields() {
  static const std::vector<std::string> f = {"name",    "tz",    "limit",  "pattern", "startDate",
                                             "endDate", "every", "offset", "ic"};
  return f;
}

bool apply_scheduler_hash(const std::vector<std::optional<std::string>>& v, const std::string& key,
                          SchedulerInfo& s, std::vector<Problem>& problems) {
  bool any = false;
  for (const auto& x : v) any = any || x.has_value();
  if (!any || v.size() != scheduler_hash_fields().size()) return false;
  auto number = [&](std::size_t i, std::optional<std::int64_t>& out) {
    if (!v[i] || v[i]->empty()) return;
    out = parse_millis(*v[i]);
    if (!out) {
      problems.push_back({"", key, scheduler_hash_fields()[i],
                          fmt::format("scheduler {}: {} is not a number: '{}'", s.id, scheduler_hash_fields()[i],
                                      util::truncate_utf8(*v[i], 60))});
    }
  };
  if (v[0]) s.name = v[0];
  if (v[1] && !v[1]->empty()) s.tz = v[1];
  number(2, s.limit);
  if (v[3] && !v[3]->empty()) s.pattern = v[3];
  number(4, s.start_date_ms);
  number(5, s.end_date_ms);
  number(6, s.every_ms);
  number(7, s.offset_ms);
  number(8, s.iterations);
  s.legacy = !v[8].has_value();  // storeJobScheduler always writes `ic`; v5 addRepeatableJob never does
  if (!s.name) problems.push_back({"", key, "name", fmt::format("scheduler {}: hash has no name", s.id)});
  if (!s.legacy && !s.pattern && !s.every_ms) {
    problems.push_back({"", key, "", fmt::format("scheduler {}: hash has neither pattern nor every", s.id)});
  }
  return true;
}

std::string scheduler_job_id(std::string_view id, std::int64_t millis) {
  return fmt::format("repeat:{}:{}", id, millis);
}

std::optional<std::string> job_state(const JobProbe& p) {
  if (p.in_completed) return "completed";
  if (p.in_failed) return "failed";
  if (p.in_delayed) return "delayed";
  if (p.in_prioritized) return "prioritized";
  if (p.in_waiting_children) return "waiting-children";
  if (!p.hash_exists) return std::nullopt;
  // Without LPOS (Redis < 6.0.6) a job taken by a worker and not finished is taken for active.
  if (p.in_active ? *p.in_active : (p.processed && !p.finished)) return "active";
  if (p.finished) return "finished";  // done, but no longer in completed/failed
  return "waiting";
}

std::string chain_end_reason(const SchedulerInfo& s, std::int64_t now_ms) {
  if (s.limit && s.iterations && *s.iterations >= *s.limit) {
    return fmt::format("limit of {} iteration{} reached", *s.limit, *s.limit == 1 ? "" : "s");
  }
  if (s.end_date_ms && *s.end_date_ms <= now_ms) {
    return fmt::format("end date {} passed", util::iso8601_utc(*s.end_date_ms));
  }
  // A cron pattern with no time left before the end date: BullMQ's repeatStrategy returns nothing.
  if (s.end_date_ms && s.pattern) {
    return fmt::format("no cron time left before the end date {}", util::iso8601_utc(*s.end_date_ms));
  }
  return "";
}

void judge_scheduler(SchedulerInfo& s, std::int64_t now_ms, std::int64_t grace_ms, bool queue_paused) {
  s.overdue = s.broken = s.ended = false;
  s.overdue_ms = 0;
  s.finding.clear();
  s.ended_reason.clear();
  const auto& state = s.next_job_state;
  if (state == "unknown") return;  // the job could not be read: reported as a problem, not judged
  std::string job = s.next_job_id.value_or("of the next run");
  if (state && is_pending(*state)) {
    if (!s.next_run_ms || now_ms - *s.next_run_ms <= grace_ms) return;
    s.overdue = true;
    s.overdue_ms = now_ms - *s.next_run_ms;
    std::string why = queue_paused           ? "the queue is paused"
                      : *state == "delayed"  ? "no worker promoted it (are workers running?)"
                                             : "no worker took it (are workers running, or all busy?)";
    s.finding = fmt::format("next run was due {} ago ({}) and job {} is still {}: {}",
                            util::format_duration(util::Millis(s.overdue_ms)), util::iso8601_utc(*s.next_run_ms),
                            job, *state, why);
    return;
  }
  s.ended_reason = chain_end_reason(s, now_ms);
  if (!s.ended_reason.empty()) {
    s.ended = true;
    return;
  }
  // A worker adds the next job right after taking this one: give it the grace to do so.
  if (state == "active" && (!s.next_job_processed_on_ms || now_ms - *s.next_job_processed_on_ms <= grace_ms)) return;
  s.broken = true;
  if (!state) {
    s.finding = s.next_job_id
                    ? fmt::format("no job carries the next run (job {} does not exist): the chain ended and BullMQ "
                                  "will not run it again until the scheduler is upserted again", job)
                    : "no delayed job carries the next run: the chain ended and BullMQ will not run it again";
  } else {
    s.finding = fmt::format("job {} of the next run is {} and no later job was added: the chain ended and BullMQ "
                            "will not run it again until the scheduler is upserted again", job, *state);
  }
}

void summarise(SchedulersResult& r, std::int64_t grace_ms) {
  for (const auto& s : r.schedulers) {
    r.overdue += s.overdue ? 1 : 0;
    r.broken += s.broken ? 1 : 0;
    r.ended += s.ended ? 1 : 0;
  }
  r.status = r.broken > 0 ? Status::critical : r.overdue > 0 ? Status::warning : Status::ok;
  if (!r.problems.empty()) r.status = worst(r.status, Status::unknown);
  std::vector<std::string> parts{fmt::format("{} scheduler{}", r.total, r.total == 1 ? "" : "s"),
                                 fmt::format("{} overdue", r.overdue), fmt::format("{} broken", r.broken)};
  if (r.ended > 0) parts.push_back(fmt::format("{} ended", r.ended));
  if (r.total > static_cast<std::int64_t>(r.schedulers.size())) {
    parts.push_back(fmt::format("{} read, {} late by more than {}ms", r.schedulers.size(), r.late, grace_ms));
  }
  if (r.overdue > 0 && r.queue_paused) parts.push_back("queue PAUSED");
  if (!r.problems.empty()) parts.push_back(fmt::format("{} problem{}", r.problems.size(), r.problems.size() == 1 ? "" : "s"));
  r.summary = fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace opsctl::queue
