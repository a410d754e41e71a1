#include "queue/redis/inspect.h"

#include "queue/redis/cluster_check.h"
#include "queue/redis/probe.h"
#include "queue/redis/schedulers.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/redis/discovery.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

void add_failures(redis::Client& client, InspectResult& r, std::size_t sample) {
  if (!r.shape.key_ok("failed") || sample == 0) return;
  auto ids = client.command({"ZREVRANGE", r.ref.key("failed"), "0", std::to_string(sample - 1)}).elements;
  std::vector<redis::Command> cmds;
  for (const auto& id : ids) cmds.push_back({"HGET", r.ref.job_key(id.str), "failedReason"});
  auto reasons = client.pipeline(cmds);
  std::vector<std::pair<std::string, std::optional<std::string>>> newest;
  for (std::size_t i = 0; i < ids.size(); ++i) newest.emplace_back(ids[i].str, reasons[i].as_string());
  group_failures(r, newest);
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
        // As BullMQ: attemptsMade (legacy) before atm, and 0 when neither is there.
        row.attempts_made = !f.elements[3].is_nil() ? f.elements[3].as_int()
                            : !f.elements[2].is_nil() ? f.elements[2].as_int()
                                                      : std::optional<std::int64_t>(0);
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

}  // namespace

InspectResult inspect_queue(redis::Client& client, const InspectOptions& o) {
  require_one_slot(client, o.ref);
  auto figures = std::move(probe_queues(client, {o.ref}, probe_options(o)).front());
  if (!figures.shape.exists) {
    throw_queue_not_found(client, o.ref.prefix, o.ref.name);
  }
  InspectResult r = start_inspect(o, std::move(figures));
  if (r.shape.layout == Layout::unknown) {
    r.figures.problems.push_back({"", r.ref.display(), "", "queue layout not recognised as BullMQ or Bull"});
  }
  add_failures(client, r, o.failure_sample);
  if (o.state) add_jobs(client, r, o);
  std::optional<SchedulersResult> schedulers;
  if (r.figures.schedulers > 0) {
    // Told apart here (overdue vs broken), where list only counts the late ones.
    schedulers = read_schedulers(client, o.ref, {r.figures.now_ms, o.thresholds.scheduler_grace_ms, 1000});
  }
  finish_inspect(r, std::move(schedulers));
  return r;
}

}  // namespace opsctl::queue
