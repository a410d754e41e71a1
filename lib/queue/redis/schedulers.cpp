#include "queue/redis/schedulers.h"

#include <algorithm>

#include <fmt/format.h>

#include "queue/redis/discovery.h"
#include "queue/redis/layout.h"
#include "queue/scheduler_judge.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

// Commands per probed job, in this order (see probe_reply).
constexpr std::size_t probe_size = 7;

void add_probe(std::vector<redis::Command>& cmds, const QueueRef& ref, const std::string& id) {
  cmds.push_back({"HMGET", ref.job_key(id), "processedOn", "finishedOn", "opts", "rjk"});
  for (const char* suffix : {"delayed", "prioritized", "completed", "failed", "waiting-children"}) {
    cmds.push_back({"ZSCORE", ref.key(suffix), id});
  }
  cmds.push_back({"LPOS", ref.key("active"), id, "MAXLEN", "10000"});
}

struct Probed {
  std::optional<std::string> state;
  std::optional<std::int64_t> processed_on;
  std::optional<std::string> opts, rjk;
};

Probed probe_reply(const std::vector<redis::Reply>& r, std::size_t at, const QueueRef& ref, const std::string& id,
                   std::vector<Problem>& problems) {
  Probed out;
  const auto& h = r[at];
  JobProbe p;
  if (h.is_error()) {
    problems.push_back({id, ref.job_key(id), "", "job key is not a hash: " + h.str});
    out.state = "unknown";
    return out;
  }
  for (const auto& e : h.elements) p.hash_exists = p.hash_exists || !e.is_nil();
  if (h.elements.size() == 4) {
    p.processed = !h.elements[0].is_nil();
    p.finished = !h.elements[1].is_nil();
    out.processed_on = h.elements[0].as_int();
    out.opts = h.elements[2].as_string();
    out.rjk = h.elements[3].as_string();
  }
  auto in = [&](std::size_t i) { return !r[at + i].is_error() && !r[at + i].is_nil(); };
  p.in_delayed = in(1);
  p.in_prioritized = in(2);
  p.in_completed = in(3);
  p.in_failed = in(4);
  p.in_waiting_children = in(5);
  if (!r[at + 6].is_error()) p.in_active = !r[at + 6].is_nil();
  out.state = job_state(p);
  if (out.state && !p.hash_exists) {
    problems.push_back({id, ref.job_key(id), "", fmt::format("id is in {} but has no job hash (orphan id)", *out.state)});
  }
  return out;
}

// v5 legacy repeatables keep limit and count in the job's opts.repeat only.
void apply_job_opts(SchedulerInfo& s, const Probed& p, const QueueRef& ref, std::vector<Problem>& problems) {
  if (!p.opts) return;
  auto opts = nlohmann::json::parse(*p.opts, nullptr, false);
  if (opts.is_discarded() || !opts.is_object()) {
    problems.push_back({*s.next_job_id, ref.job_key(*s.next_job_id), "opts", "opts is not a JSON object"});
    return;
  }
  const auto repeat = opts.value("repeat", nlohmann::json::object());
  if (!repeat.is_object()) return;
  if (!s.limit && repeat.contains("limit") && repeat["limit"].is_number()) s.limit = repeat["limit"].get<std::int64_t>();
  if (!s.iterations && repeat.contains("count") && repeat["count"].is_number()) {
    s.iterations = repeat["count"].get<std::int64_t>();
  }
}

// A v5 legacy member of the `name:jobId:endDate:tz:pattern` shape names its job with an md5 of
// itself (repeat.js getRepeatJobKey); find it among the delayed jobs due in that millisecond.
void find_hashed_legacy_jobs(redis::Client& client, const QueueRef& ref, std::vector<SchedulerInfo*>& todo) {
  std::vector<redis::Command> cmds;
  for (auto* s : todo) {
    cmds.push_back({"ZRANGEBYSCORE", ref.key("delayed"), std::to_string(*s->next_run_ms * 4096),
                    std::to_string(*s->next_run_ms * 4096 + 4095), "LIMIT", "0", "50"});
  }
  auto ids = client.pipeline(cmds);
  std::vector<std::pair<SchedulerInfo*, std::string>> candidates;
  cmds.clear();
  for (std::size_t i = 0; i < todo.size(); ++i) {
    for (const auto& id : ids[i].elements) {
      if (id.str.rfind("repeat:", 0) != 0) continue;
      candidates.emplace_back(todo[i], id.str);
      cmds.push_back({"HGET", ref.job_key(id.str), "rjk"});
    }
  }
  auto rjk = client.pipeline(cmds);
  for (auto* s : todo) s->next_job_id.reset();
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (rjk[i].as_string() == candidates[i].first->id) candidates[i].first->next_job_id = candidates[i].second;
  }
}

}  // namespace

redis::Command overdue_count_command(const QueueRef& ref, std::int64_t now_ms, std::int64_t grace_ms) {
  return {"ZCOUNT", ref.key("repeat"), "-inf", "(" + std::to_string(now_ms - grace_ms)};
}

std::optional<std::int64_t> parse_overdue_count(const redis::Reply& reply) {
  if (reply.is_error()) return std::nullopt;
  return reply.as_int();
}

SchedulersResult read_schedulers(redis::Client& client, const QueueRef& ref, const SchedulerOptions& o) {
  SchedulersResult r;
  QueueShape shape = detect_shape(client, ref);
  if (!shape.exists) throw_queue_not_found(client, ref.prefix, ref.name);
  r.problems = shape.problems;
  r.queue_paused = shape.paused;
  // Next run first: every late scheduler (overdue or broken) sorts before the healthy ones.
  auto head = client.pipeline({{"TYPE", ref.key("repeat")},
                               {"ZCARD", ref.key("repeat")},
                               {"ZRANGE", ref.key("repeat"), "0", std::to_string(o.limit - 1), "WITHSCORES"},
                               overdue_count_command(ref, o.now_ms, o.grace_ms)});
  const std::string type = head[0].str;
  if (type != "zset") {  // a repeat key of another type is already among the shape's problems
    summarise(r, o.grace_ms);
    return r;
  }
  r.total = head[1].as_int().value_or(0);
  r.late = parse_overdue_count(head[3]).value_or(0);
  const auto& members = head[2].elements;
  std::vector<redis::Command> cmds;
  for (std::size_t i = 0; i + 1 < members.size(); i += 2) {
    SchedulerInfo s;
    s.id = members[i].str;
    s.next_run_ms = parse_millis(members[i + 1].str);
    if (!s.next_run_ms) {
      r.problems.push_back({"", ref.key("repeat"), "", fmt::format("scheduler {}: score is not a time", s.id)});
      continue;
    }
    s.next_job_id = scheduler_job_id(s.id, *s.next_run_ms);
    redis::Command hmget{"HMGET", ref.key("repeat:" + s.id)};
    for (const auto& f : scheduler_hash_fields()) hmget.push_back(f);
    cmds.push_back(std::move(hmget));
    add_probe(cmds, ref, *s.next_job_id);
    r.schedulers.push_back(std::move(s));
  }
  auto replies = client.pipeline(cmds);
  std::vector<SchedulerInfo*> hashed_legacy;
  std::vector<Probed> probed(r.schedulers.size());
  for (std::size_t i = 0; i < r.schedulers.size(); ++i) {
    auto& s = r.schedulers[i];
    const std::size_t at = i * (1 + probe_size);
    const std::string hash_key = ref.key("repeat:" + s.id);
    if (replies[at].is_error()) {
      r.problems.push_back({"", hash_key, "", fmt::format("scheduler {}: key is not a hash: {}", s.id, replies[at].str)});
    } else {
      std::vector<std::optional<std::string>> values;
      for (const auto& e : replies[at].elements) values.push_back(e.as_string());
      if (!apply_scheduler_hash(values, hash_key, s, r.problems)) {
        if (auto k = parse_legacy_key(s.id)) {  // pre-hash v5 data: everything is in the member
          s.legacy = true;
          s.name = k->name;
          s.tz = k->tz;
          s.pattern = k->pattern;
          s.every_ms = k->every_ms;
          s.end_date_ms = k->end_date_ms;
        } else {
          r.problems.push_back({"", hash_key, "", fmt::format("scheduler {} has no hash {} (BullMQ's getJobSchedulers "
                                                              "deletes such an entry)", s.id, hash_key)});
        }
      }
    }
    probed[i] = probe_reply(replies, at + 1, ref, *s.next_job_id, r.problems);
    if (s.legacy && !probed[i].state && std::count(s.id.begin(), s.id.end(), ':') >= 2) hashed_legacy.push_back(&s);
  }
  if (!hashed_legacy.empty()) {
    find_hashed_legacy_jobs(client, ref, hashed_legacy);
    cmds.clear();
    for (auto* s : hashed_legacy) {
      if (s->next_job_id) add_probe(cmds, ref, *s->next_job_id);
    }
    auto again = client.pipeline(cmds);
    std::size_t at = 0;
    for (auto* s : hashed_legacy) {
      if (!s->next_job_id) continue;
      probed[static_cast<std::size_t>(s - r.schedulers.data())] = probe_reply(again, at, ref, *s->next_job_id, r.problems);
      at += probe_size;
    }
  }
  for (std::size_t i = 0; i < r.schedulers.size(); ++i) {
    auto& s = r.schedulers[i];
    s.next_job_state = probed[i].state;
    s.next_job_processed_on_ms = probed[i].processed_on;
    if (s.next_job_state) apply_job_opts(s, probed[i], ref, r.problems);
    judge_scheduler(s, o.now_ms, o.grace_ms, r.queue_paused);
  }
  summarise(r, o.grace_ms);
  return r;
}

}  // namespace opsctl::queue
