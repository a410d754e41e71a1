// Reading QueueFigures: four pipelines for any number of queues (see figures.h).
#include <algorithm>
#include <cmath>

#include "queue/figures.h"
#include "redis/batch.h"

namespace opsctl::queue {
namespace {

constexpr std::int64_t kMinute = 60 * 1000;

std::optional<std::int64_t> score_of(const redis::Reply& withscores) {
  if (withscores.type != redis::ReplyType::array || withscores.elements.size() < 2) return std::nullopt;
  return withscores.elements[1].as_int();
}

// Slots of one queue's stage-2 and stage-3 commands; npos when not sent.
constexpr std::size_t kNone = static_cast<std::size_t>(-1);
struct FinishedSlots {
  std::size_t in_window = kNone, oldest = kNone, newest = kNone, metrics = kNone, data = kNone;
};
struct Slots {
  std::size_t shape = kNone, rate = kNone;
  CountsPlan counts;
  FinishedSlots completed, failed;
  std::size_t sample = kNone, active = kNone, limiter = kNone, repeat_total = kNone, repeat_overdue = kNone, ids = kNone;
  std::vector<std::pair<std::string, std::size_t>> waiting;  // candidate id -> HMGET slot (stage 3)
  std::vector<std::pair<std::int64_t, std::size_t>> finished;  // finishedOn -> HMGET slot (stage 3)
  std::vector<std::size_t> active_jobs;                        // HMGET slot, PTTL at slot + 1
};

void add_finished(redis::Batch& b, const QueueFigures& q, const char* state, FinishedSlots& s) {
  std::string key = q.ref.key(state);
  if (q.shape.key_ok(state)) {
    s.in_window = b.add({"ZCOUNT", key, std::to_string(q.now_ms - q.window_ms), "+inf"});
    s.oldest = b.add({"ZRANGE", key, "0", "0", "WITHSCORES"});
    s.newest = b.add({"ZREVRANGE", key, "0", "0", "WITHSCORES"});
  }
  std::string metrics = std::string("metrics:") + state;
  if (q.shape.key_ok(metrics)) {
    s.metrics = b.add({"HMGET", q.ref.key(metrics), "count", "prevTS", "prevCount"});
    s.data = b.add({"LRANGE", q.ref.key(metrics + ":data"), "0", std::to_string(q.window_ms / kMinute + 1)});
  }
}

// Jobs finished in the window from BullMQ's per-minute metrics (minute resolution): the list holds
// one count per minute before prevTS's minute, newest first; count - prevCount is what came since.
std::optional<std::int64_t> metrics_in_window(const redis::Reply& meta, const redis::Reply& data,
                                              std::int64_t now, std::int64_t window) {
  if (meta.type != redis::ReplyType::array || meta.elements.size() != 3) return std::nullopt;
  auto count = meta.elements[0].as_int(), prev_ts = meta.elements[1].as_int(), prev = meta.elements[2].as_int();
  if (!count || !prev_ts || !prev) return std::nullopt;
  std::int64_t first_minute = (now - window) / kMinute, prev_minute = *prev_ts / kMinute;
  std::int64_t n = prev_minute >= first_minute ? *count - *prev : 0;
  for (std::size_t i = 0; i < data.elements.size(); ++i) {
    if (prev_minute - 1 - static_cast<std::int64_t>(i) < first_minute) break;
    n += data.elements[i].as_int().value_or(0);
  }
  return std::max<std::int64_t>(n, 0);
}

// jobs_ever: the queue's id counter (INCR on every add); a queue that still holds that many jobs
// never removed one, so nothing finished in the window can be missing.
void read_finished(const redis::Batch& b, const QueueFigures& q, const FinishedSlots& s, FinishedFigures& f,
                   bool nothing_removed) {
  if (s.in_window != kNone) {
    f.in_window = b.at(s.in_window).as_int().value_or(0);
    f.oldest_ms = score_of(b.at(s.oldest));
    f.newest_ms = score_of(b.at(s.newest));
  }
  // Nothing finished in the window was trimmed when the oldest retained job predates it.
  f.exact = nothing_removed || (f.oldest_ms && *f.oldest_ms < q.now_ms - q.window_ms);
  if (!f.exact && s.metrics != kNone) {
    if (auto n = metrics_in_window(b.at(s.metrics), b.at(s.data), q.now_ms, q.window_ms)) {
      f.in_window = std::max(f.in_window, *n);
      f.exact = true;
      f.source = "metrics";
      if (auto ts = b.at(s.metrics).elements[1].as_int(); ts && (!f.newest_ms || *ts > *f.newest_ms)) f.newest_ms = ts;
    }
  }
  if (!f.exact) f.source = "lower-bound";
}

void stage2(redis::Batch& b, QueueFigures& q, Slots& s, const ProbeOptions& o) {
  s.counts = add_counts_commands(b, q.ref, q.shape);
  add_finished(b, q, "completed", s.completed);
  add_finished(b, q, "failed", s.failed);
  if (q.shape.key_ok("completed") && o.processing_sample > 0) {
    s.sample = b.add({"ZREVRANGEBYSCORE", q.ref.key("completed"), "+inf", std::to_string(q.now_ms - q.window_ms),
                      "WITHSCORES", "LIMIT", "0", std::to_string(o.processing_sample)});
  }
  // The next job to run sits at the right end of wait (and of a legacy paused list); the oldest
  // prioritized job may be the lowest priority's, so both ends of that set are candidates.
  for (const char* list : {"wait", "paused"}) {
    if (q.shape.key_ok(list)) s.waiting.emplace_back(list, b.add({"LRANGE", q.ref.key(list), "-2", "-1"}));
  }
  if (q.shape.key_ok("prioritized")) {
    s.waiting.emplace_back("prioritized", b.add({"ZRANGE", q.ref.key("prioritized"), "0", "0"}));
    s.waiting.emplace_back("prioritized", b.add({"ZRANGE", q.ref.key("prioritized"), "-1", "-1"}));
  }
  if (q.shape.key_ok("active") && o.active_sample > 0) {
    s.active = b.add({"LRANGE", q.ref.key("active"), "0", std::to_string(o.active_sample - 1)});
  }
  if (q.shape.key_ok("id")) s.ids = b.add({"GET", q.ref.key("id")});
  if (q.shape.key_ok("limiter")) s.limiter = b.add({"PTTL", q.ref.key("limiter")});
  if (q.shape.key_ok("repeat")) {
    s.repeat_total = b.add({"ZCARD", q.ref.key("repeat")});
    s.repeat_overdue = b.add({"ZCOUNT", q.ref.key("repeat"), "-inf", "(" + std::to_string(q.now_ms - o.scheduler_grace_ms)});
  }
}

void read_stage2(const redis::Batch& b, QueueFigures& q, Slots& s, redis::Batch& next) {
  q.counts = parse_counts(b, s.counts);
  std::int64_t held = 0;
  for (const auto& [state, n] : q.counts) held += n.value_or(0);
  auto ever = s.ids == kNone ? std::nullopt : b.at(s.ids).as_int();
  bool nothing_removed = ever && held >= *ever;
  read_finished(b, q, s.completed, q.completed, nothing_removed);
  read_finished(b, q, s.failed, q.failed, nothing_removed);
  q.completed.retained = count_of(q.counts, "completed");
  q.failed.retained = count_of(q.counts, "failed");
  std::vector<std::pair<std::string, std::size_t>> candidates;
  for (const auto& [list, slot] : s.waiting) {
    auto ids = b.at(slot).elements;
    std::reverse(ids.begin(), ids.end());
    for (const auto& id : ids) {
      if (id.str.empty() || id.str.rfind("0:", 0) == 0) continue;  // legacy marker, not a job
      candidates.emplace_back(id.str, next.add({"HMGET", q.ref.job_key(id.str), "timestamp", "delay"}));
      if (list != "prioritized") break;
    }
  }
  s.waiting = std::move(candidates);
  if (s.sample != kNone) {
    const auto& e = b.at(s.sample).elements;
    for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
      s.finished.emplace_back(e[i + 1].as_int().value_or(0),
                              next.add({"HMGET", q.ref.job_key(e[i].str), "processedOn", "finishedOn", "timestamp", "delay"}));
    }
  }
  if (s.active != kNone) {
    for (const auto& id : b.at(s.active).elements) {
      q.active.push_back({id.str, std::nullopt, std::nullopt, std::nullopt});
      s.active_jobs.push_back(next.add({"HMGET", q.ref.job_key(id.str), "name", "processedOn"}));
      next.add({"PTTL", q.ref.job_key(id.str) + ":lock"});
    }
    q.active_checked = static_cast<std::int64_t>(q.active.size());
  }
  if (s.limiter != kNone) {
    auto ttl = b.at(s.limiter).as_int();
    if (ttl && *ttl > 0) q.limiter_ttl_ms = *ttl;
  }
  if (s.repeat_total != kNone) {
    q.schedulers = b.at(s.repeat_total).as_int().value_or(0);
    q.schedulers_overdue = b.at(s.repeat_overdue).as_int().value_or(0);
  }
}

std::optional<std::int64_t> field(const redis::Reply& hmget, std::size_t i) {
  if (hmget.type != redis::ReplyType::array || hmget.elements.size() <= i) return std::nullopt;
  return hmget.elements[i].as_int();
}

void read_stage3(const redis::Batch& b, QueueFigures& q, const Slots& s) {
  for (const auto& [id, slot] : s.waiting) {
    auto ts = field(b.at(slot), 0);
    if (!ts) continue;
    std::int64_t since = *ts + std::max<std::int64_t>(field(b.at(slot), 1).value_or(0), 0);
    if (since > q.now_ms) since = *ts;  // a delay the job did not wait out (promoted early)
    if (!q.oldest_waiting_since || since < *q.oldest_waiting_since) {
      q.oldest_waiting_id = id;
      q.oldest_waiting_timestamp = ts;
      q.oldest_waiting_since = since;
    }
  }
  if (!q.oldest_waiting_id && !s.waiting.empty()) q.oldest_waiting_id = s.waiting.front().first;
  std::vector<std::int64_t> processing, wait;
  for (const auto& [finished_on, slot] : s.finished) {
    const auto& f = b.at(slot);
    auto processed = field(f, 0), finished = field(f, 1), ts = field(f, 2);
    if (!processed) continue;
    processing.push_back(std::max<std::int64_t>(finished.value_or(finished_on) - *processed, 0));
    if (ts) wait.push_back(std::max<std::int64_t>(*processed - *ts - std::max<std::int64_t>(field(f, 3).value_or(0), 0), 0));
  }
  q.processing = quantiles(std::move(processing));
  q.wait = quantiles(std::move(wait));
  for (std::size_t i = 0; i < s.active_jobs.size(); ++i) {
    const auto& h = b.at(s.active_jobs[i]);
    auto& job = q.active[i];
    if (h.type == redis::ReplyType::array && h.elements.size() == 2) job.name = h.elements[0].as_string();
    job.processed_on = field(h, 1);
    auto ttl = b.at(s.active_jobs[i] + 1).as_int().value_or(-2);
    if (ttl != -2) job.lock_ttl_ms = ttl;  // -1: a lock without expiry, still held
  }
}

}  // namespace

Quantiles quantiles(std::vector<std::int64_t> values) {
  Quantiles q;
  q.samples = static_cast<std::int64_t>(values.size());
  if (values.empty()) return q;
  std::sort(values.begin(), values.end());
  auto rank = [&](double p) {
    auto i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(i, 1, values.size()) - 1];
  };
  q.p50 = rank(0.50);
  q.p95 = rank(0.95);
  q.max = values.back();
  return q;
}

std::int64_t QueueFigures::ready() const {
  return count_of(counts, "waiting") + count_of(counts, "prioritized") + count_of(counts, "paused");
}

std::optional<std::int64_t> QueueFigures::last_finished_ms() const {
  if (completed.newest_ms && failed.newest_ms) return std::max(*completed.newest_ms, *failed.newest_ms);
  return completed.newest_ms ? completed.newest_ms : failed.newest_ms;
}

std::vector<QueueFigures> probe_queues(redis::Client& client, const std::vector<QueueRef>& refs,
                                       const ProbeOptions& o) {
  std::vector<QueueFigures> out(refs.size());
  std::vector<Slots> slots(refs.size());
  redis::Batch b1;
  std::size_t time_slot = b1.add({"TIME"}), clients_slot = b1.add({"CLIENT", "LIST"});
  for (std::size_t i = 0; i < refs.size(); ++i) {
    slots[i].shape = add_shape_commands(b1, refs[i]);
    slots[i].rate = b1.add({"HMGET", refs[i].key("meta"), "max", "duration"});
  }
  b1.run(client);
  std::int64_t now = redis::time_reply_ms(b1.at(time_slot)).value_or(o.local_now_ms);
  const auto& clients = b1.at(clients_slot);
  redis::Batch b2;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    auto& q = out[i];
    q.ref = refs[i];
    q.now_ms = now;
    q.local_now_ms = o.local_now_ms;
    q.window_ms = o.window_ms;
    q.shape = parse_shape(b1, slots[i].shape, refs[i]);
    q.problems = q.shape.problems;
    if (!clients.is_error()) q.workers = match_workers(clients.str, refs[i]);
    q.rate_max = field(b1.at(slots[i].rate), 0);
    q.rate_duration_ms = field(b1.at(slots[i].rate), 1);
    if (q.shape.exists) stage2(b2, q, slots[i], o);
  }
  b2.run(client);
  redis::Batch b3;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (out[i].shape.exists) read_stage2(b2, out[i], slots[i], b3);
  }
  b3.run(client);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (out[i].shape.exists) read_stage3(b3, out[i], slots[i]);
  }
  return out;
}

}  // namespace opsctl::queue
