#include "queue/checks.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "util/duration.h"

namespace opsctl::queue {
namespace {

constexpr std::int64_t kSkewMs = 5000;

// A threshold as people typed it: 15m, 30s, 2h.
std::string span_text(std::int64_t ms) {
  for (auto [unit, size] : {std::pair{"d", 86400000LL}, {"h", 3600000LL}, {"m", 60000LL}, {"s", 1000LL}}) {
    if (ms >= size && ms % size == 0) return fmt::format("{}{}", ms / size, unit);
  }
  return fmt::format("{}ms", ms);
}

double seconds(std::int64_t ms) { return std::round(static_cast<double>(ms)) / 1000.0; }

Status above(std::int64_t value, std::int64_t warn, std::int64_t crit) {
  if (value > crit) return Status::critical;
  if (value > warn) return Status::warning;
  return Status::ok;
}

std::string verdict_text(Status s, std::int64_t warn, std::int64_t crit) {
  if (s == Status::ok) return "";
  return fmt::format(" (> {} {})", s == Status::critical ? crit : warn, to_string(s));
}

struct Context {
  const QueueFigures& f;
  const Thresholds& t;
  std::int64_t ready, live_active = 0, stalled = 0;
  std::optional<std::int64_t> waiting_age, idle;  // oldest waiting job, time since the last finish
  std::int64_t runnable = 0;                       // ready plus delayed jobs already due
  std::optional<std::int64_t> runnable_age;        // the oldest of those
  std::string q;                                   // queue name for the next commands
  bool no_workers() const { return f.workers && f.workers->empty(); }
};

Check backlog(const Context& c) {
  const auto& t = c.t;
  Check k{"backlog", above(c.ready, t.warn_wait, t.crit_wait), static_cast<double>(c.ready),
          static_cast<double>(t.warn_wait), static_cast<double>(t.crit_wait), "", "", ""};
  // "> 10 for > 5 minutes" (opsctl(1), queue inspect, backlog) judged from one look: the oldest
  // waiting job has waited that long, or no worker is there to drain the burst.
  bool sustained = (c.waiting_age && *c.waiting_age >= t.warn_wait_age_ms) || c.no_workers();
  if (!sustained) {
    // The warning threshold is not armed yet: the published thresholds say what decided the level.
    k.warn.reset();
    if (k.level == Status::warning) k.level = Status::ok;
  }
  std::int64_t waiting = count_of(c.f.counts, "waiting"), prioritized = count_of(c.f.counts, "prioritized");
  std::int64_t legacy = c.ready - waiting - prioritized;
  std::string detail;
  if (prioritized > 0 && legacy > 0) detail = fmt::format(" incl. {} prioritized, {} in the legacy paused list", prioritized, legacy);
  else if (prioritized > 0) detail = fmt::format(" incl. {} prioritized", prioritized);
  else if (legacy > 0) detail = fmt::format(" incl. {} in the legacy paused list", legacy);
  k.message = fmt::format("{} waiting{}{}", c.ready, detail, verdict_text(k.level, t.warn_wait, t.crit_wait));
  if (c.ready > t.warn_wait && k.level == Status::ok && c.waiting_age) {
    k.message += fmt::format(" (oldest {}: warns once it has waited {})", age_text(*c.waiting_age),
                             span_text(t.warn_wait_age_ms));
  }
  if (k.level == Status::ok) return k;
  if (c.f.shape.paused) k.why = fmt::format("the queue is paused: opsctl queue resume {}", c.q);
  else if (c.no_workers()) k.why = fmt::format("no worker is connected to drain it: start the workers, then opsctl runbook run backlog --param queue={}", c.q);
  else if (c.f.rate_limited) k.why = fmt::format("the rate limiter holds the queue for {}: workers wait it out", age_text(*c.f.limiter_ttl_ms));
  else k.why = fmt::format("workers are not keeping up: scale them or find what slows them (opsctl runbook run backlog --param queue={})", c.q);
  return k;
}

Check failed(const Context& c) {
  const auto& t = c.t;
  const auto& fin = c.f.failed;
  Check k{"failed", above(fin.in_window, t.warn_failed, t.crit_failed), static_cast<double>(fin.in_window),
          static_cast<double>(t.warn_failed), static_cast<double>(t.crit_failed), "", "", ""};
  k.message = fmt::format("{}{} failed in the last {}{}", fin.exact ? "" : ">= ", fin.in_window, span_text(t.window_ms),
                          verdict_text(k.level, t.warn_failed, t.crit_failed));
  std::int64_t older = fin.retained - fin.in_window;
  if (older > 0) {
    k.message += fmt::format("; {} older failure{} retained", older, older == 1 ? "" : "s");
    if (fin.in_window == 0 && fin.newest_ms) k.message += fmt::format(", newest {} ago", age_text(c.f.now_ms - *fin.newest_ms));
  }
  if (k.level != Status::ok) {
    k.why = fmt::format("jobs are failing now: read the reasons (opsctl queue inspect {} --state failed), fix the cause, "
                        "then opsctl queue retry {} --since {}", c.q, c.q, span_text(t.window_ms));
  }
  return k;
}

Check processor(const Context& c) {
  const auto& t = c.t;
  // The idle time is judged only once jobs have waited crit_idle with no live worker busy on them:
  // then the published threshold alone decides (crit when no job is active, warn when busy).
  Check k{"processor", Status::ok, std::nullopt, std::nullopt, std::nullopt, "s", "", ""};
  if (c.idle) k.value = seconds(*c.idle);
  std::string last = c.idle ? fmt::format("last job finished {} ago", age_text(*c.idle)) : "no finished job on record";
  std::string workers = !c.f.workers ? "workers unknown (CLIENT LIST not allowed)"
                        : fmt::format("{} worker{} connected", c.f.workers->size(), c.f.workers->size() == 1 ? "" : "s");
  if (c.runnable == 0 || c.f.shape.paused) {
    k.message = fmt::format("{}; {}", c.runnable == 0 ? "idle: nothing waiting" : "paused", last);
    return k;
  }
  bool waited = c.runnable_age && *c.runnable_age > t.crit_idle_ms;
  // No finished job on record means nothing ever finished only when no job was ever removed;
  // with removeOnComplete/removeOnFail and no events it cannot be told.
  bool unknown_idle = !c.idle && c.f.jobs_removed;
  bool quiet = c.idle ? *c.idle > t.crit_idle_ms : !unknown_idle;
  if (waited && !unknown_idle) {
    if (c.live_active > 0) k.warn = seconds(t.crit_idle_ms);
    else k.crit = seconds(t.crit_idle_ms);
    // No finished job on record: as quiet as it gets; the value is the oldest job's wait.
    if (!c.idle) k.value = seconds(*c.runnable_age);
  }
  if (!waited || !quiet) {
    k.message = fmt::format("{}; {}", unknown_idle ? "last finish unknown (finished jobs are not kept)" : last, workers);
    return k;
  }
  std::string due = c.f.due_delayed > 0 ? fmt::format(" incl. {} delayed jobs already due", c.f.due_delayed) : "";
  std::string evidence = fmt::format("{} jobs waiting{} (oldest {}), {}, {}", c.runnable, due, age_text(*c.runnable_age),
                                     c.idle ? fmt::format("nothing finished for {}", age_text(*c.idle)) : "no job ever finished",
                                     workers);
  if (c.live_active > 0) {
    k.level = Status::warning;
    k.message = fmt::format("busy: {}; {} active job{} still held by a live worker", evidence, c.live_active,
                            c.live_active == 1 ? "" : "s");
    k.why = fmt::format("long-running or hung jobs occupy the workers: see opsctl queue inspect {} --state active", c.q);
    return k;
  }
  k.level = Status::critical;
  k.message = "processor down: " + evidence;
  if (c.no_workers()) k.why = "no worker is connected to this queue: start the processor (then opsctl runbook run backlog --param queue=" + c.q + ")";
  else if (c.stalled > 0) k.why = fmt::format("its active jobs lost their worker: opsctl job unstick {}", c.q);
  else if (c.f.rate_limited) k.why = fmt::format("the rate limiter holds the queue for {} more", age_text(*c.f.limiter_ttl_ms));
  else k.why = fmt::format("workers are connected but take no job (wrong queue name or prefix, a hung event loop): restart them; opsctl runbook run backlog --param queue={}", c.q);
  return k;
}

void active_checks(const Context& c, std::vector<Check>& out) {
  const auto& t = c.t;
  if (c.f.shape.paused) {
    Check k{"paused", c.ready > 0 ? Status::warning : Status::ok, c.ready > 0 ? 1.0 : 0.0, 0.0, std::nullopt, "",
            c.ready > 0 ? "PAUSED with jobs waiting" : "PAUSED (nothing waiting)", ""};
    if (k.level != Status::ok) k.why = fmt::format("nothing runs while the queue is paused: opsctl queue resume {}", c.q);
    out.push_back(k);
  }
  if (c.stalled > 0) {
    out.push_back({"stalled", Status::warning, static_cast<double>(c.stalled), 0.0, std::nullopt, "",
                   fmt::format("{} active without a lock (worker gone)", c.stalled),
                   fmt::format("their worker died; only a running worker's stalled checker recovers them: opsctl job unstick {}", c.q)});
  }
  std::vector<const ActiveJob*> old;
  for (const auto& j : c.f.active) {
    if (j.processed_on && c.f.now_ms - *j.processed_on >= t.warn_active_ms) old.push_back(&j);
  }
  Check k{"long_active", old.empty() ? Status::ok : Status::warning, static_cast<double>(old.size()), 0.0, std::nullopt,
          "", "", ""};
  std::vector<std::string> items;
  bool alive = false;
  for (const auto* j : old) {
    alive = alive || j->lock_ttl_ms.has_value();
    if (items.size() < 5) {
      items.push_back(fmt::format("{} ({}, {}, lock {})", j->id, j->name.value_or("?"), age_text(c.f.now_ms - *j->processed_on),
                                  j->lock_ttl_ms ? "alive" : "gone"));
    }
  }
  k.message = old.empty() ? fmt::format("no job active for over {}", span_text(t.warn_active_ms))
                          : fmt::format("{} active for over {}: {}{}", old.size(), span_text(t.warn_active_ms),
                                        fmt::join(items, ", "), old.size() > items.size() ? ", ..." : "");
  if (!old.empty()) {
    k.why = alive ? fmt::format("a live worker still holds them: long-running, or hung on a call; if hung, "
                                "opsctl job unstick {} --older-than {}", c.q, span_text(t.warn_active_ms))
                  : fmt::format("their worker died: opsctl job unstick {}", c.q);
  }
  out.push_back(k);
}

Check processing(const Context& c) {
  const auto& t = c.t;
  const auto& p = c.f.processing;
  Check k{"processing_time", Status::ok, std::nullopt, seconds(t.warn_processing_ms), seconds(t.crit_processing_ms),
          "s", "", ""};
  if (!p.p95) {
    k.message = fmt::format("no job completed in the last {}", span_text(t.window_ms));
    return k;
  }
  k.value = seconds(*p.p95);
  k.level = above(*p.p95, t.warn_processing_ms, t.crit_processing_ms);
  k.message = fmt::format("p95 {}{} (p50 {}, max {}) over the {} newest jobs completed in the last {}",
                          age_text(*p.p95), k.level == Status::ok ? "" : fmt::format(" (> {} {})",
                          span_text(k.level == Status::critical ? t.crit_processing_ms : t.warn_processing_ms), to_string(k.level)),
                          age_text(*p.p50), age_text(*p.max), p.samples, span_text(t.window_ms));
  if (c.f.wait.p95) k.message += fmt::format("; waited p50 {}, p95 {}", age_text(*c.f.wait.p50), age_text(*c.f.wait.p95));
  if (k.level != Status::ok) k.why = "jobs take long: check what they call (databases, external APIs) and the workers' CPU";
  return k;
}

void rate_checks(const Context& c, std::vector<Check>& out) {
  const auto& t = c.t;
  const auto& f = c.f;
  std::int64_t done = f.completed.in_window, bad = f.failed.in_window, total = done + bad;
  double minutes = static_cast<double>(t.window_ms) / 60000.0;
  bool exact = f.completed.exact && f.failed.exact;
  out.push_back({"throughput", Status::ok, std::round(static_cast<double>(done) / minutes * 100) / 100, std::nullopt,
                 std::nullopt, "/min",
                 fmt::format("{}{} completed and {}{} failed in the last {} ({:.2f}/min){}", f.completed.exact || done == 0 ? "" : ">= ", done,
                             f.failed.exact || bad == 0 ? "" : ">= ", bad, span_text(t.window_ms), static_cast<double>(total) / minutes,
                             exact ? "" : "; retention trimmed the window, so these are lower bounds"),
                 ""});
  Check k{"failure_ratio", Status::ok, std::nullopt, std::nullopt, std::nullopt, "%", "", ""};
  if (total > 0) k.value = std::round(1000.0 * static_cast<double>(bad) / static_cast<double>(total)) / 10;
  if (!f.completed.exact) {
    // A lower bound of completions overstates the ratio: never raise on it.
    k.message = "not judged: the completed count in the window is a lower bound (removeOnComplete trims it)";
  } else if (total < t.min_finished) {
    k.message = fmt::format("not judged: {} jobs finished in the last {} (judged from {})", total, span_text(t.window_ms), t.min_finished);
  } else {
    bool high = *k.value > static_cast<double>(t.warn_failure_ratio);  // on the published value
    k.level = high ? Status::warning : Status::ok;
    k.warn = static_cast<double>(t.warn_failure_ratio);
    k.message = fmt::format("{:.1f}% of {} jobs finished in the last {} failed{}", *k.value, total, span_text(t.window_ms),
                            high ? fmt::format(" (> {}% warning)", t.warn_failure_ratio) : "");
    if (high) k.why = fmt::format("a dependency or a bad release makes jobs fail: opsctl queue inspect {} --state failed", c.q);
  }
  out.push_back(k);
}

void context_checks(const Context& c, std::vector<Check>& out) {
  const auto& f = c.f;
  if (f.schedulers > 0) {
    Status level = f.schedulers_broken > 0 ? Status::critical : f.schedulers_overdue > 0 ? Status::warning : Status::ok;
    // Broken chains are critical on their own: they carry the critical threshold when there are any.
    Check k{"schedulers", level, static_cast<double>(f.schedulers_overdue + f.schedulers_broken), 0.0,
            f.schedulers_broken > 0 ? std::optional<double>(0.0) : std::nullopt, "", "", ""};
    std::vector<std::string> bad;
    if (f.schedulers_overdue > 0) {
      bad.push_back(fmt::format("{} {} by more than {}", f.schedulers_overdue, f.schedulers_read ? "overdue" : "late",
                                span_text(c.t.scheduler_grace_ms)));
    }
    if (f.schedulers_broken > 0) bad.push_back(fmt::format("{} with a broken chain (no job carries the next run)", f.schedulers_broken));
    k.message = bad.empty() ? fmt::format("{} Job Scheduler{}, none overdue", f.schedulers, f.schedulers == 1 ? "" : "s")
                            : fmt::format("{} of {} Job Schedulers: {}", f.schedulers_overdue + f.schedulers_broken, f.schedulers,
                                          fmt::join(bad, ", "));
    if (f.schedulers_broken > 0) {
      k.why = fmt::format("a broken scheduler never runs again until it is upserted anew: see opsctl queue schedulers {}", c.q);
    } else if (level != Status::ok) {
      k.why = fmt::format("their next jobs were not picked up{}: see opsctl queue schedulers {}",
                          f.shape.paused ? " (the queue is paused: opsctl queue resume " + c.q + ")" : "", c.q);
    }
    out.push_back(k);
  }
  std::vector<std::string> limits;
  if (f.rate_limited) {
    limits.push_back(fmt::format("rate limiter holds the queue for {} more", age_text(*f.limiter_ttl_ms)));
  } else if (f.limiter_ttl_ms) {
    limits.push_back(fmt::format("rate limiter: {} jobs started in a period with {} left", f.limiter_count.value_or(0),
                                 age_text(*f.limiter_ttl_ms)));
  }
  if (f.rate_max && f.rate_duration_ms) limits.push_back(fmt::format("global rate limit {} per {}", *f.rate_max, age_text(*f.rate_duration_ms)));
  if (f.shape.concurrency) {
    std::int64_t active = count_of(f.counts, "active");
    limits.push_back(fmt::format("global concurrency {} ({} active{})", *f.shape.concurrency, active,
                                 active >= *f.shape.concurrency ? ": full, nothing more starts" : ""));
  }
  if (!limits.empty()) {
    out.push_back({"rate_limit", Status::ok, f.limiter_ttl_ms ? std::optional<double>(seconds(*f.limiter_ttl_ms)) : std::nullopt,
                   std::nullopt, std::nullopt, "s", fmt::format("{}", fmt::join(limits, "; ")), ""});
  }
  if (!f.server_clock) {
    out.push_back({"clock", Status::ok, std::nullopt, std::nullopt, std::nullopt, "s",
                   "the server's TIME is not available: ages are judged by this machine's clock", ""});
  }
  std::int64_t skew = f.local_now_ms - f.now_ms;
  if (f.local_now_ms != 0 && std::llabs(skew) > kSkewMs) {
    out.push_back({"clock", Status::ok, seconds(skew), std::nullopt, std::nullopt, "s",
                   fmt::format("this machine's clock is {} {} the Redis server's; ages are judged by the server's clock",
                               age_text(std::llabs(skew)), skew > 0 ? "ahead of" : "behind"), ""});
  }
  if (!f.problems.empty()) {
    out.push_back({"data", Status::unknown, static_cast<double>(f.problems.size()), std::nullopt, std::nullopt, "",
                   fmt::format("{} problem{}", f.problems.size(), f.problems.size() == 1 ? "" : "s"),
                   "keys or jobs BullMQ did not write this way: see the problems listed"});
  }
}

}  // namespace

std::string age_text(std::int64_t ms) { return util::format_duration(util::Millis(std::max<std::int64_t>(ms, 0))); }

Verdict judge(const QueueFigures& f, const Thresholds& t) {
  Context c{f, t, f.ready(), 0, f.stalled(), std::nullopt, std::nullopt, 0, std::nullopt, f.ref.name};
  if (f.oldest_waiting_since) c.waiting_age = f.now_ms - *f.oldest_waiting_since;
  if (auto last = f.last_finished_ms()) c.idle = f.now_ms - *last;
  for (const auto& j : f.active) c.live_active += j.lock_ttl_ms ? 1 : 0;
  c.runnable = c.ready + f.due_delayed;
  c.runnable_age = c.waiting_age;
  if (f.oldest_due_ms && (!c.runnable_age || f.now_ms - *f.oldest_due_ms > *c.runnable_age)) {
    c.runnable_age = f.now_ms - *f.oldest_due_ms;
  }
  Verdict v;
  v.checks = {backlog(c), failed(c), processor(c)};
  active_checks(c, v.checks);
  v.checks.push_back(processing(c));
  rate_checks(c, v.checks);
  context_checks(c, v.checks);

  std::vector<std::string> parts{v.checks[0].message, v.checks[1].message.substr(0, v.checks[1].message.find(';')),
                                 fmt::format("{} active", count_of(f.counts, "active"))};
  for (std::size_t i = 2; i < v.checks.size(); ++i) {
    const auto& k = v.checks[i];
    v.status = worst(v.status, k.level);
    if (k.level != Status::ok) parts.push_back(k.message);
  }
  v.status = worst(worst(v.status, v.checks[0].level), v.checks[1].level);
  if (f.workers) {
    parts.push_back(f.workers->empty() ? "no workers connected"
                                       : fmt::format("{} worker{}", f.workers->size(), f.workers->size() == 1 ? "" : "s"));
  }
  v.summary = fmt::format("{}", fmt::join(parts, ", "));
  return v;
}

}  // namespace opsctl::queue
