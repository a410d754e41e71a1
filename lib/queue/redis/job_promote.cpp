// `job promote QUEUE ID...`: Job.promote() for each id (declared in promote.h).
#include <fmt/format.h>

#include "queue/redis/job.h"
#include "queue/redis/lua_scripts.h"
#include "queue/redis/promote.h"
#include "queue/redis/state_common.h"

namespace opsctl::queue {
namespace {

constexpr std::size_t ids_per_call = 100;

// The result for an id that is not delayed: where it is instead, or that it does not exist.
IdResult not_delayed(redis::Client& client, const QueueRef& ref, const QueueShape& shape, const std::string& id) {
  auto job = load_job(client, ref, shape, id, 1);
  if (!job) return {id, "not found", "no such job in this queue"};
  return {id, "refused", fmt::format("not delayed: it is {}", job->state)};
}

void add_problem(MutationResult& r, const QueueRef& ref, const std::string& id, const std::string& problem) {
  r.problems.push_back({id, ref.job_key(id), "", fmt::format("job {}: {}; skipped", id, problem)});
  r.results.push_back({id, "skipped", problem});
}

}  // namespace

MutationResult promote_jobs(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& ids,
                            DryRun dry_run) {
  QueueShape shape = checked_shape(client, ref, {"delayed", "wait", "paused", "meta", "prioritized", "active",
                                                 "marker", "events"});
  LayoutChoice layout = choose_layout(shape);
  MutationResult r;
  r.action = "job.promote";
  r.target = queue_target(client, ref);
  r.dry_run = dry_run == DryRun::yes;
  r.details = {{"layout", layout.name}};

  if (r.dry_run) {
    std::vector<redis::Command> cmds;
    for (const auto& id : ids) {
      cmds.push_back({"ZSCORE", ref.key("delayed"), id});
      cmds.push_back({"TYPE", ref.job_key(id)});
    }
    auto replies = client.pipeline(cmds);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const std::string& id = ids[i];
      std::string type = replies[2 * i + 1].as_string().value_or("none");
      if (replies[2 * i].is_nil()) {
        r.results.push_back(not_delayed(client, ref, shape, id));
      } else if (type != "hash") {
        ++r.matched;
        add_problem(r, ref, id, type == "none" ? "no job hash (orphan id)" : "job key is a " + type + ", not a hash");
      } else {
        ++r.matched;
        r.add_sample(id);
        r.results.push_back({id, "would promote", ""});
      }
    }
    return r;
  }

  const std::vector<std::string> keys{ref.key("delayed"), ref.key("wait"),   ref.key("paused"),
                                      ref.key("meta"),    ref.key("prioritized"), ref.key("active"),
                                      ref.key("pc"),      ref.key("events"), ref.key("marker")};
  for (std::size_t from = 0; from < ids.size(); from += ids_per_call) {
    std::vector<std::string> args{ref.base(), layout.lua_mode()};
    for (std::size_t i = from; i < std::min(ids.size(), from + ids_per_call); ++i) args.push_back(ids[i]);
    auto reply = client.eval(lua::promote_job, keys, args);
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
      const std::string& id = reply.elements[i].str;
      const std::string& outcome = reply.elements[i + 1].str;
      if (outcome == "promoted") {
        ++r.matched;
        ++r.changed;
        r.add_sample(id);
        r.results.push_back({id, "promoted", ""});
      } else if (outcome.rfind("problem: ", 0) == 0) {
        ++r.matched;
        add_problem(r, ref, id, outcome.substr(9));
      } else {
        r.results.push_back(not_delayed(client, ref, shape, id));
      }
    }
  }
  return r;
}

}  // namespace opsctl::queue
