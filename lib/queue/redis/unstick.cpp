#include "queue/redis/unstick.h"

#include <algorithm>

#include "queue/redis/lua_scripts.h"
#include "queue/redis/state_common.h"

namespace opsctl::queue {
namespace {

struct Candidate {
  std::string id;
  std::string problem;  // not a hash: why (the script re-checks and reports it)
};

struct PageScan {
  std::vector<Candidate> candidates;
  std::int64_t locked = 0;
  std::int64_t size = 0;  // ids read
};

// One page of the active list, filtered client-side (one pipelined round trip). The script
// re-checks everything, so a stale answer here can only make it skip an id.
PageScan scan_page(redis::Client& client, const UnstickOptions& o, std::int64_t start) {
  const QueueRef& q = o.ref;
  PageScan s;
  auto ids = client.command({"LRANGE", q.key("active"), std::to_string(start),
                             std::to_string(start + static_cast<std::int64_t>(o.page) - 1)});
  s.size = static_cast<std::int64_t>(ids.elements.size());
  std::vector<redis::Command> cmds;
  for (const auto& e : ids.elements) {
    cmds.push_back({"TYPE", q.job_key(e.str)});
    cmds.push_back({"EXISTS", q.job_key(e.str) + ":lock"});
    cmds.push_back({"HGET", q.job_key(e.str), "processedOn"});
  }
  auto replies = client.pipeline(cmds);
  for (std::size_t i = 0; i < ids.elements.size(); ++i) {
    const std::string& id = ids.elements[i].str;
    if (id.rfind("0:", 0) == 0) continue;  // a BullMQ 4 marker id
    std::string type = replies[3 * i].as_string().value_or("none");
    bool locked = replies[3 * i + 1].as_int().value_or(0) == 1;
    auto processed_on = replies[3 * i + 2].as_int();
    if (type != "hash") {
      s.candidates.push_back({id, type == "none" ? "no job hash (orphan id)" : "job key is a " + type + ", not a hash"});
    } else if (!locked || (o.started_before_ms && processed_on && *processed_on < *o.started_before_ms)) {
      s.candidates.push_back({id, ""});
    } else {
      ++s.locked;
    }
  }
  return s;
}

}  // namespace

MutationResult unstick_jobs(redis::Client& client, const UnstickOptions& o) {
  const QueueRef& q = o.ref;
  QueueShape shape = checked_shape(client, q, {"active", "wait", "paused", "meta", "prioritized", "stalled",
                                               "marker", "events", "failed"});
  LayoutChoice layout = choose_layout(shape);
  MutationResult r;
  r.action = "job.unstick";
  r.target = queue_target(client, q);
  r.dry_run = o.dry_run == DryRun::yes;
  std::int64_t locked = 0;
  std::int64_t cap = o.limit.value_or(INT64_MAX);
  const std::vector<std::string> keys{q.key("active"),  q.key("wait"),   q.key("paused"),
                                      q.key("meta"),    q.key("prioritized"), q.key("stalled"),
                                      q.key("marker"),  q.key("events"), q.key("failed")};
  const std::string to = o.to == UnstickTarget::failed ? "failed" : "wait";
  const std::string cutoff = o.started_before_ms ? std::to_string(*o.started_before_ms) : "";

  interruptible(r, [&] {
  for (std::int64_t start = 0; r.matched < cap;) {
    PageScan s = scan_page(client, o, start);
    if (s.size == 0) break;
    locked += s.locked;
    std::vector<std::string> args{q.base(), layout.lua_mode(), to, cutoff, std::to_string(o.now_ms),
                                  unstick_failed_reason};
    std::int64_t good = 0;
    for (const auto& c : s.candidates) {
      bool problem = !c.problem.empty();
      if (!problem && r.matched + good >= cap) break;
      args.push_back(c.id);
      if (problem) {
        if (r.dry_run) r.problems.push_back({c.id, q.job_key(c.id), "", "job " + c.id + ": " + c.problem + "; skipped"});
      } else {
        ++good;
        if (r.dry_run) r.add_sample(c.id);
      }
    }
    std::int64_t moved = 0;
    if (!r.dry_run && args.size() > 6) {
      auto ids = read_script_reply(client.eval(lua::unstick_jobs, keys, args), q, r.problems);
      for (const auto& id : ids) r.add_sample(id);
      moved = static_cast<std::int64_t>(ids.size());
      r.changed += moved;
      if (o.progress) o.progress(r.changed);
    }
    r.matched += r.dry_run ? good : moved;
    // The ids this page moved left the list: the next page starts that much earlier.
    start += s.size - moved;
  }
  });
  r.details = {{"layout", layout.name}, {"to", to}, {"locked", locked}};
  return r;
}

}  // namespace opsctl::queue
