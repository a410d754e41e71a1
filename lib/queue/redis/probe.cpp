// Reading QueueFigures: three pipelines for any number of queues (see figures.h).
#include <algorithm>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "queue/redis/probe.h"
#include "queue/redis/counts.h"
#include "queue/redis/layout.h"
#include "redis/batch.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

std::optional<std::int64_t> score_of(const redis::Reply& withscores) {
  if (withscores.type != redis::ReplyType::array || withscores.elements.size() < 2) return std::nullopt;
  return plausible(withscores.elements[1].as_int());
}

std::optional<std::int64_t> field(const redis::Reply& hmget, std::size_t i) {
  if (hmget.type != redis::ReplyType::array || hmget.elements.size() <= i) return std::nullopt;
  return hmget.elements[i].as_int();
}

// Slots of one queue's commands in stages 2 and 3; kNone when not sent.
struct FinishedSlots {
  std::size_t in_window = kNone, oldest = kNone, newest = kNone, metrics = kNone, data = kNone;
};
struct Slots {
  std::size_t shape = kNone, rate = kNone;
  CountsPlan counts;
  FinishedSlots completed, failed;
  std::size_t sample = kNone, active = kNone, limiter = kNone, repeat_total = kNone, ids = kNone, due = kNone,
              events = kNone, active_again = kNone;
  std::vector<std::size_t> waiting_lists;                     // LRANGE/ZRANGE replies of candidates
  std::vector<std::pair<std::string, std::size_t>> waiting;    // candidate id -> HMGET slot (stage 3)
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
  const auto& data_type = q.shape.key_types.at(metrics + ":data");
  if (q.shape.key_ok(metrics) && (data_type == "none" || q.shape.key_ok(metrics + ":data"))) {
    s.metrics = b.add({"HMGET", q.ref.key(metrics), "count", "prevTS", "prevCount"});
    s.data = b.add({"LRANGE", q.ref.key(metrics + ":data"), "0", std::to_string(q.window_ms / kMinute + 1)});
  }
}

// Jobs finished in the window from BullMQ's per-minute metrics (collectMetrics.lua; minute
// resolution): the list holds one count per minute before prevTS's minute, newest first, and
// count - prevCount is what came since. Not trusted when a finished job in the set is newer than
// prevTS's minute: then the workers stopped keeping the metrics.
std::optional<std::int64_t> metrics_in_window(const redis::Reply& meta, const redis::Reply& data,
                                              const QueueFigures& q, const FinishedFigures& f) {
  if (data.is_error()) return std::nullopt;
  auto count = field(meta, 0), prev_ts = plausible(field(meta, 1)), prev = field(meta, 2);
  if (!count || !prev_ts || !prev) return std::nullopt;
  std::int64_t first_minute = (q.now_ms - q.window_ms) / kMinute, prev_minute = *prev_ts / kMinute;
  if (f.newest_ms && *f.newest_ms / kMinute > prev_minute) return std::nullopt;
  std::int64_t n = prev_minute >= first_minute ? *count - *prev : 0;
  for (std::size_t i = 0; i < data.elements.size(); ++i) {
    if (prev_minute - 1 - static_cast<std::int64_t>(i) < first_minute) break;
    n += data.elements[i].as_int().value_or(0);
  }
  return std::max<std::int64_t>(n, 0);
}

void read_finished(const redis::Batch& b, const QueueFigures& q, const FinishedSlots& s, FinishedFigures& f) {
  if (s.in_window != kNone) {
    f.in_window = b.at(s.in_window).as_int().value_or(0);
    f.oldest_ms = score_of(b.at(s.oldest));
    f.newest_ms = score_of(b.at(s.newest));
  }
  // Nothing finished in the window is missing when no job was ever removed, or when retention
  // (which trims the oldest first) left a job older than the window.
  f.exact = !q.jobs_removed || (f.oldest_ms && *f.oldest_ms < q.now_ms - q.window_ms);
  if (!f.exact && s.metrics != kNone) {
    if (auto n = metrics_in_window(b.at(s.metrics), b.at(s.data), q, f)) {
      f.in_window = std::max(f.in_window, *n);
      f.exact = true;
      f.source = "metrics";
    }
  }
  if (!f.exact) f.source = "lower-bound";
}

void stage2(redis::Batch& b, QueueFigures& q, Slots& s, const ProbeOptions& o) {
  s.counts = add_counts_commands(b, q.ref, q.shape);
  if (q.shape.key_ok("id")) s.ids = b.add({"GET", q.ref.key("id")});
  add_finished(b, q, "completed", s.completed);
  add_finished(b, q, "failed", s.failed);
  if (q.shape.key_ok("completed") && o.processing_sample > 0) {
    s.sample = b.add({"ZREVRANGEBYSCORE", q.ref.key("completed"), "+inf", std::to_string(q.now_ms - q.window_ms),
                      "WITHSCORES", "LIMIT", "0", std::to_string(o.processing_sample)});
  }
  // Candidates for the oldest job ready to run: both ends of wait (FIFO producers push left, LIFO
  // ones right), the head of a legacy paused list, the next prioritized job.
  if (q.shape.key_ok("wait")) {
    s.waiting_lists.push_back(b.add({"LRANGE", q.ref.key("wait"), "-2", "-1"}));
    s.waiting_lists.push_back(b.add({"LRANGE", q.ref.key("wait"), "0", "0"}));
  }
  if (q.shape.key_ok("paused")) s.waiting_lists.push_back(b.add({"LRANGE", q.ref.key("paused"), "-2", "-1"}));
  if (q.shape.key_ok("prioritized")) s.waiting_lists.push_back(b.add({"ZRANGE", q.ref.key("prioritized"), "0", "0"}));
  if (q.shape.key_ok("delayed")) {  // due: score < (now + 1) * 4096 (includes/getDelayedScore.lua)
    s.due = b.add({"ZCOUNT", q.ref.key("delayed"), "0", "(" + std::to_string((q.now_ms + 1) * 4096)});
    b.add({"ZRANGE", q.ref.key("delayed"), "0", "0", "WITHSCORES"});
  }
  if (q.shape.key_ok("active") && o.active_sample > 0) {
    s.active = b.add({"LRANGE", q.ref.key("active"), "0", std::to_string(o.active_sample - 1)});
  }
  if (q.shape.key_ok("limiter")) {
    s.limiter = b.add({"PTTL", q.ref.key("limiter")});
    b.add({"GET", q.ref.key("limiter")});
  }
  if (q.shape.key_ok("repeat")) {
    s.repeat_total = b.add({"ZCARD", q.ref.key("repeat")});
    b.add({"ZCOUNT", q.ref.key("repeat"), "-inf", "(" + std::to_string(q.now_ms - o.scheduler_grace_ms)});
  }
  if (q.shape.key_ok("events")) s.events = b.add({"XREVRANGE", q.ref.key("events"), "+", "-", "COUNT", "200"});
}

// The newest completed/failed event: its stream id is the server's time of the finish.
std::optional<std::int64_t> newest_finish_event(const redis::Reply& entries) {
  for (const auto& e : entries.elements) {
    if (e.elements.size() != 2) continue;
    const auto& kv = e.elements[1].elements;
    for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
      if (kv[i].str == "event" && (kv[i + 1].str == "completed" || kv[i + 1].str == "failed")) {
        const std::string& id = e.elements[0].str;
        return plausible(util::parse_int(std::string_view(id).substr(0, id.find('-'))));
      }
    }
  }
  return std::nullopt;
}

void read_stage2(const redis::Batch& b, QueueFigures& q, Slots& s, redis::Batch& next) {
  q.counts = parse_counts(b, s.counts);
  std::int64_t held = 0;
  for (const auto& [state, n] : q.counts) held += n.value_or(0);
  auto ever = s.ids == kNone ? std::nullopt : b.at(s.ids).as_int();
  q.jobs_removed = !ever || held < *ever;
  read_finished(b, q, s.completed, q.completed);
  read_finished(b, q, s.failed, q.failed);
  q.completed.retained = count_of(q.counts, "completed");
  q.failed.retained = count_of(q.counts, "failed");
  std::set<std::string> seen;
  for (auto slot : s.waiting_lists) {
    // Tail first: a list's tail is its oldest entry, and jobs added in the same millisecond tie on
    // their timestamps, so the first one examined (kept on a tie) must be the one added first.
    const auto& ids = b.at(slot).elements;
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
      const auto& id = *it;
      if (id.str.empty() || id.str.rfind("0:", 0) == 0 || !seen.insert(id.str).second) continue;  // legacy marker
      s.waiting.emplace_back(id.str, next.add({"HMGET", q.ref.job_key(id.str), "timestamp", "delay", "opts", "ats"}));
    }
  }
  if (s.due != kNone) {
    q.due_delayed = b.at(s.due).as_int().value_or(0);
    const auto& first = b.at(s.due + 1);  // its score is dueMs * 4096 + seq, not a time itself
    if (q.due_delayed > 0 && first.elements.size() == 2) {
      if (auto score = first.elements[1].as_int(); score && *score >= 0) q.oldest_due_ms = plausible(*score / 4096);
    }
  }
  if (s.sample != kNone) {
    const auto& e = b.at(s.sample).elements;
    for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
      s.finished.emplace_back(plausible(e[i + 1].as_int()).value_or(0),
                              next.add({"HMGET", q.ref.job_key(e[i].str), "processedOn", "finishedOn", "timestamp", "opts", "ats"}));
    }
  }
  if (s.active != kNone) {
    for (const auto& id : b.at(s.active).elements) {
      q.active.push_back({id.str, std::nullopt, std::nullopt, std::nullopt});
      s.active_jobs.push_back(next.add({"HMGET", q.ref.job_key(id.str), "name", "processedOn"}));
      next.add({"PTTL", q.ref.job_key(id.str) + ":lock"});
    }
    q.active_checked = static_cast<std::int64_t>(q.active.size());
    // Read again after the locks: a job that finished in between is no longer active, not stalled.
    if (!q.active.empty()) s.active_again = next.add({"LRANGE", q.ref.key("active"), "0", std::to_string(q.active.size() - 1)});
  }
  if (s.limiter != kNone) {
    auto ttl = b.at(s.limiter).as_int();
    if (ttl && *ttl > 0) q.limiter_ttl_ms = *ttl;
    q.limiter_count = b.at(s.limiter + 1).as_int();
    q.rate_limited = q.limiter_ttl_ms && q.limiter_count &&
                     ((q.rate_max && *q.limiter_count >= *q.rate_max) || *q.limiter_count >= kManualRateLimitCount);
  }
  if (s.repeat_total != kNone) {
    q.schedulers = b.at(s.repeat_total).as_int().value_or(0);
    q.schedulers_overdue = b.at(s.repeat_total + 1).as_int().value_or(0);
  }
  if (s.events != kNone) q.last_event_finish_ms = newest_finish_event(b.at(s.events));
}

// When a job became ready: added, or due after its delay (opts.delay: BullMQ zeroes the hash's
// `delay` when it promotes a job), or the run time a Job Scheduler's id carries.
std::optional<std::int64_t> ready_time(const std::string& id, const redis::Reply& h, std::size_t ts_at, std::size_t opts_at,
                                       std::int64_t now) {
  auto ts = plausible(field(h, ts_at));
  if (!ts) return std::nullopt;
  std::int64_t delay = 0;
  if (id.rfind("repeat:", 0) == 0) {
    auto millis = plausible(util::parse_int(std::string_view(id).substr(id.rfind(':') + 1)));
    if (millis) delay = std::max<std::int64_t>(*millis - *ts, 0);
  } else if (h.elements.size() > opts_at && h.elements[opts_at].as_string()) {
    auto opts = nlohmann::json::parse(h.elements[opts_at].str, nullptr, false);
    if (opts.is_object() && opts.contains("delay") && opts["delay"].is_number_integer()) {
      delay = std::clamp<std::int64_t>(opts["delay"].get<std::int64_t>(), 0, kLatestPlausibleMs);
    }
  }
  std::int64_t since = *ts + delay;
  return since > now ? *ts : since;  // a delay it did not wait out (promoted early)
}

void read_stage3(const redis::Batch& b, QueueFigures& q, const Slots& s) {
  for (const auto& [id, slot] : s.waiting) {
    auto since = ready_time(id, b.at(slot), 0, 2, q.now_ms);
    if (!since) continue;
    if (!q.oldest_waiting_since || *since < *q.oldest_waiting_since) {
      q.oldest_waiting_id = id;
      q.oldest_waiting_timestamp = plausible(field(b.at(slot), 0));
      q.oldest_waiting_since = since;
    }
  }
  if (!q.oldest_waiting_id && !s.waiting.empty()) q.oldest_waiting_id = s.waiting.front().first;
  std::vector<std::int64_t> processing, wait;
  for (const auto& [finished_on, slot] : s.finished) {
    const auto& f = b.at(slot);
    auto processed = plausible(field(f, 0)), finished = plausible(field(f, 1));
    if (!processed) continue;
    processing.push_back(std::max<std::int64_t>(finished.value_or(finished_on) - *processed, 0));
    // A job started more than once (retried, recovered from a stall) waited for its last start
    // since some moment no field records: left out of the wait.
    if (field(f, 4).value_or(1) > 1) continue;
    if (auto ready = ready_time("", f, 2, 3, q.now_ms)) wait.push_back(std::max<std::int64_t>(*processed - *ready, 0));
  }
  q.processing = quantiles(std::move(processing));
  q.wait = quantiles(std::move(wait));
  if (s.active_again == kNone) return;
  std::set<std::string> still;
  for (const auto& id : b.at(s.active_again).elements) still.insert(id.str);
  std::vector<ActiveJob> active;
  for (std::size_t i = 0; i < s.active_jobs.size(); ++i) {
    auto job = q.active[i];
    if (!still.count(job.id)) continue;
    const auto& h = b.at(s.active_jobs[i]);
    if (h.type == redis::ReplyType::array && h.elements.size() == 2) job.name = h.elements[0].as_string();
    job.processed_on = plausible(field(h, 1));
    const auto& pttl = b.at(s.active_jobs[i] + 1);
    auto ttl = pttl.as_int();
    if (pttl.is_error() || !ttl) job.lock_ttl_ms = -1;  // cannot tell: never called stalled
    else if (*ttl != -2) job.lock_ttl_ms = *ttl;
    active.push_back(std::move(job));
  }
  q.active = std::move(active);
}

}  // namespace

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
  auto server_now = redis::time_reply_ms(b1.at(time_slot));
  // CLIENT LIST per node on a cluster (the batch's went to one node only); nullopt: not allowed.
  std::optional<std::vector<std::string>> lists;
  if (!client.is_cluster()) {
    if (!b1.at(clients_slot).is_error()) lists = std::vector<std::string>{b1.at(clients_slot).str};
  } else {
    for (redis::Client* node : client.masters()) {
      auto r = node->pipeline({{"CLIENT", "LIST"}})[0];
      if (r.is_error()) continue;
      if (!lists) lists.emplace();
      lists->push_back(std::move(r.str));
    }
  }
  redis::Batch b2;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    auto& q = out[i];
    q.ref = refs[i];
    q.now_ms = server_now.value_or(o.local_now_ms);
    q.server_clock = server_now.has_value();
    q.local_now_ms = o.local_now_ms;
    q.window_ms = o.window_ms;
    q.shape = parse_shape(b1, slots[i].shape, refs[i]);
    q.problems = q.shape.problems;
    if (lists) q.workers = match_workers(*lists, refs[i]);
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
