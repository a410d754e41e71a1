#include "queue/inspect.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/discovery.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

void add_oldest_waiting(redis::Client& client, InspectResult& r) {
  // Workers take jobs from the right end of wait: the rightmost id is the oldest, next to run.
  for (const char* suffix : {"wait", "paused"}) {
    if (!r.shape.key_ok(suffix)) continue;
    auto ids = client.command({"LRANGE", r.ref.key(suffix), "-2", "-1"}).elements;
    std::reverse(ids.begin(), ids.end());
    for (const auto& id : ids) {
      if (id.str.rfind("0:", 0) == 0) continue;  // legacy marker, not a job
      r.oldest_waiting_id = id.str;
      auto ts = client.pipeline({{"HGET", r.ref.job_key(id.str), "timestamp"}})[0];
      r.oldest_waiting_timestamp = ts.as_int();
      return;
    }
  }
}

void add_stalled(redis::Client& client, InspectResult& r) {
  if (r.shape.layout != Layout::bullmq || !r.shape.key_ok("active")) return;
  auto ids = client.command({"LRANGE", r.ref.key("active"), "0", "999"}).elements;
  std::vector<redis::Command> cmds;
  for (const auto& id : ids) cmds.push_back({"EXISTS", r.ref.job_key(id.str) + ":lock"});
  auto locks = client.pipeline(cmds);
  r.stalled_checked = static_cast<std::int64_t>(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (locks[i].as_int().value_or(1) != 0) continue;
    ++r.stalled;
    if (r.stalled_ids.size() < 20) r.stalled_ids.push_back(ids[i].str);
  }
}

void add_failures(redis::Client& client, InspectResult& r, std::size_t sample) {
  if (!r.shape.key_ok("failed") || sample == 0) return;
  auto ids = client.command({"ZREVRANGE", r.ref.key("failed"), "0", std::to_string(sample - 1)}).elements;
  std::vector<redis::Command> cmds;
  for (const auto& id : ids) cmds.push_back({"HGET", r.ref.job_key(id.str), "failedReason"});
  auto reasons = client.pipeline(cmds);
  std::map<std::string, FailureGroup> groups;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string reason = reasons[i].as_string().value_or("(no failedReason)");
    // Group on the first line: stack-like reasons differ below it for the same cause.
    reason = util::truncate_utf8(reason.substr(0, reason.find('\n')), 300);
    auto& g = groups[reason];
    g.reason = reason;
    ++g.count;
    if (g.sample_ids.size() < 5) g.sample_ids.push_back(ids[i].str);
  }
  r.failures_sampled = static_cast<std::int64_t>(ids.size());
  for (auto& [_, g] : groups) r.failures.push_back(std::move(g));
  std::stable_sort(r.failures.begin(), r.failures.end(),
                   [](const FailureGroup& a, const FailureGroup& b) { return a.count > b.count; });
}

void add_jobs(redis::Client& client, InspectResult& r, const InspectOptions& o) {
  const std::string& state = *o.state;
  std::string suffix = state_key_suffix(state);
  r.listed_state = state;
  if (!r.shape.key_ok(suffix)) return;
  std::string first = std::to_string(o.offset), last = std::to_string(o.offset + o.limit - 1);
  std::vector<redis::Reply> ids;
  if (state == "waiting" || state == "paused") {  // next to run first
    ids = client.command({"LRANGE", r.ref.key(suffix), std::to_string(-(o.offset + o.limit)),
                          std::to_string(-(o.offset + 1))}).elements;
    std::reverse(ids.begin(), ids.end());
  } else if (state == "active") {
    ids = client.command({"LRANGE", r.ref.key(suffix), first, last}).elements;
  } else if (state == "completed" || state == "failed") {  // newest first, like Queue.getJobs
    ids = client.command({"ZREVRANGE", r.ref.key(suffix), first, last}).elements;
  } else {  // delayed, prioritized, waiting-children: next due first
    ids = client.command({"ZRANGE", r.ref.key(suffix), first, last}).elements;
  }
  std::vector<redis::Command> cmds;
  for (const auto& id : ids) {
    cmds.push_back({"HMGET", r.ref.job_key(id.str), "name", "timestamp", "atm", "attemptsMade", "failedReason",
                    "finishedOn", "data"});
  }
  auto rows = client.pipeline(cmds);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    JobRow row;
    row.id = ids[i].str;
    row.state = state == "paused" ? "waiting" : state;
    const auto& f = rows[i];
    if (f.is_error()) {
      row.problems.push_back({row.id, r.ref.job_key(row.id), "", "job key is not a hash: " + f.str});
    } else {
      bool any = false;
      for (const auto& e : f.elements) any = any || !e.is_nil();
      if (!any) {
        row.problems.push_back({row.id, r.ref.job_key(row.id), "",
                                fmt::format("id is in {} but has no job hash (orphan id)", state)});
      } else {
        row.name = f.elements[0].as_string();
        row.timestamp = f.elements[1].as_int();
        row.attempts_made = f.elements[2].is_nil() ? f.elements[3].as_int() : f.elements[2].as_int();
        row.failed_reason = f.elements[4].as_string();
        row.finished_on = f.elements[5].as_int();
        if (!row.name) row.problems.push_back({row.id, "", "name", "job has no name field"});
        const auto& data = f.elements[6];
        if (data.is_nil()) {
          row.problems.push_back({row.id, "", "data", "job has no data field"});
        } else if (!util::is_valid_utf8(data.str)) {
          row.problems.push_back({row.id, "", "data", "data holds binary (non-UTF-8) bytes"});
        } else if (nlohmann::json::accept(data.str) == false) {
          row.problems.push_back({row.id, "", "data", "data is not valid JSON"});
        }
      }
    }
    r.jobs.push_back(std::move(row));
  }
}

void decide_status(InspectResult& r) {
  std::int64_t ready = count_of(r.counts, "waiting") + count_of(r.counts, "prioritized") +
                       count_of(r.counts, "paused");
  std::int64_t failed = count_of(r.counts, "failed");
  const auto& t = r.thresholds;
  Status wait_status = threshold_status(ready, t.warn_wait, t.crit_wait);
  Status failed_status = threshold_status(failed, t.warn_failed, t.crit_failed);
  r.status = worst(wait_status, failed_status);
  auto verdict = [](Status st, std::int64_t warn, std::int64_t crit) {
    return st == Status::ok ? std::string()
                            : fmt::format(" (>= {} {})", st == Status::critical ? crit : warn, to_string(st));
  };
  std::int64_t waiting = count_of(r.counts, "waiting");
  std::int64_t prioritized = count_of(r.counts, "prioritized");
  std::vector<std::string> parts;
  // The backlog threshold counts every job ready to run: waiting, prioritized and a legacy paused list.
  std::string detail;
  if (ready != waiting) {
    detail = prioritized > 0 && ready - waiting - prioritized > 0
                 ? fmt::format(" incl. {} prioritized, {} in the legacy paused list", prioritized,
                               ready - waiting - prioritized)
             : prioritized > 0 ? fmt::format(" incl. {} prioritized", prioritized)
                               : fmt::format(" incl. {} in the legacy paused list", ready - waiting);
  }
  parts.push_back(fmt::format("{} waiting{}{}", ready, detail, verdict(wait_status, t.warn_wait, t.crit_wait)));
  parts.push_back(fmt::format("{} failed{}", failed, verdict(failed_status, t.warn_failed, t.crit_failed)));
  parts.push_back(fmt::format("{} active", count_of(r.counts, "active")));
  if (r.stalled > 0) {
    parts.push_back(fmt::format("{} active without a lock (worker gone)", r.stalled));
    r.status = worst(r.status, Status::warning);
  }
  if (r.shape.paused) {
    // A forgotten pause is a classic incident: jobs wait and nothing runs them.
    parts.push_back(ready > 0 ? "PAUSED with jobs waiting" : "PAUSED");
    if (ready > 0) r.status = worst(r.status, Status::warning);
  }
  if (r.workers) {
    parts.push_back(r.workers->empty() ? "no workers connected"
                                       : fmt::format("{} worker{}", r.workers->size(), r.workers->size() == 1 ? "" : "s"));
  }
  if (r.shape.layout == Layout::unknown) {
    r.problems.push_back({"", r.ref.display(), "", "queue layout not recognised as BullMQ or Bull"});
  }
  if (!r.problems.empty()) {
    r.status = Status::unknown;
    parts.push_back(fmt::format("{} problem{}", r.problems.size(), r.problems.size() == 1 ? "" : "s"));
  }
  r.summary = fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

const std::vector<std::string>& listable_states() {
  static const std::vector<std::string> s = {"waiting",   "active", "delayed", "prioritized",
                                             "completed", "failed", "waiting-children", "paused"};
  return s;
}

bool is_listable_state(const std::string& s) {
  const auto& all = listable_states();
  return std::find(all.begin(), all.end(), s) != all.end();
}

InspectResult inspect_queue(redis::Client& client, const InspectOptions& o) {
  InspectResult r;
  r.ref = o.ref;
  r.thresholds = o.thresholds;
  r.now_ms = o.now_ms;
  r.shape = detect_shape(client, o.ref);
  if (!r.shape.exists) {
    throw_queue_not_found(client, o.ref.prefix, o.ref.name);
  }
  r.problems = r.shape.problems;
  r.counts = get_counts(client, o.ref, r.shape);
  r.workers = list_workers(client, o.ref);
  add_oldest_waiting(client, r);
  add_stalled(client, r);
  add_failures(client, r, o.failure_sample);
  if (o.state) add_jobs(client, r, o);
  decide_status(r);
  return r;
}

}  // namespace opsctl::queue
