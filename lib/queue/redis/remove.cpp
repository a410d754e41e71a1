#include "queue/redis/remove.h"

#include <fmt/format.h>

#include "core/error.h"
#include "queue/redis/lua_scripts.h"
#include "queue/redis/guard.h"

namespace opsctl::queue {
namespace {

// BullMQ's raw state names ("wait") as opsctl says them elsewhere ("waiting").
std::string state_name(const std::string& raw) {
  return raw == "wait" || raw == "paused" ? "waiting" : raw;
}

// One id through remove-job.lua; adds its outcome to r.
void remove_one(redis::Client& client, const QueueRef& ref, const std::string& id, DryRun mode, MutationResult& r) {
  auto reply = client.eval(lua::remove_job, {ref.job_key(id), ref.key("repeat")},
                           {id, ref.base(), mode == DryRun::yes ? "check" : "remove"});
  if (reply.type != redis::ReplyType::array || reply.elements.size() != 3) {
    throw unknown_error(fmt::format("{}: unexpected reply from the remove script for job {}", r.target, id));
  }
  std::int64_t code = reply.elements[0].integer;
  const std::string& detail = reply.elements[1].str;
  IdResult x{id, "", ""};
  switch (code) {
    case 1:
      ++r.matched;
      r.add_sample(id);
      if (mode == DryRun::no) ++r.changed;
      x.result = mode == DryRun::yes ? "would remove" : "removed";
      if (!detail.empty() && detail != "unknown") x.result += " (was " + state_name(detail) + ")";
      break;
    case 0:
      ++r.matched;
      x.result = "refused";
      x.reason = detail == ref.job_key(id) ? "locked by a worker (it is being processed); wait for it to finish "
                                             "or stop the worker"
                                           : fmt::format("its child {} is locked by a worker", detail);
      break;
    case -8:
      ++r.matched;
      x.result = "refused";
      x.reason = fmt::format("the current job of Job Scheduler '{}'; remove the scheduler instead", detail);
      break;
    case -1:
      x.result = "not found";
      x.reason = fmt::format("no job {} in {}", id, ref.display());
      break;
    default: {  // -3 no hash but listed in a state, -4 wrong type: bad data, reported
      x.result = "skipped";
      x.reason = code == -3 ? fmt::format("no job hash (id listed in {})", detail)
                            : fmt::format("key {} is a {}, not a job hash", ref.job_key(id), detail);
      r.problems.push_back({id, ref.job_key(id), "", x.reason + "; skipped"});
    }
  }
  const auto& problems = reply.elements[2].elements;
  for (std::size_t i = 0; i + 1 < problems.size(); i += 2) {
    r.problems.push_back({"", problems[i].str, "",
                          fmt::format("child key {} is a {}, not a job hash; left in place", problems[i].str,
                                      problems[i + 1].str)});
  }
  r.results.push_back(std::move(x));
}

}  // namespace

MutationResult remove_jobs(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& ids,
                           DryRun mode) {
  require_bullmq_queue(client, ref, {"completed", "failed", "delayed", "prioritized", "waiting-children", "wait",
                                     "paused", "active", "events", "meta"});
  MutationResult r;
  r.action = "job.remove";
  r.target = queue_target(client, ref);
  r.dry_run = mode == DryRun::yes;
  for (const auto& id : ids) remove_one(client, ref, id, mode, r);
  return r;
}

}  // namespace opsctl::queue
