#include "queue/redis/obliterate.h"

#include <chrono>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/redis/lua_scripts.h"
#include "queue/redis/removal_batch.h"
#include "queue/redis/guard.h"
#include "queue/redis/state_common.h"

namespace opsctl::queue {
namespace {

// The keys holding jobs, in BullMQ's obliterate order: suffix, and whether it is a list.
const std::vector<std::pair<std::string, bool>>& job_keys() {
  static const std::vector<std::pair<std::string, bool>> keys = {
      {"active", true},       {"delayed", false},     {"completed", false}, {"wait", true},
      {"paused", true},       {"prioritized", false}, {"failed", false}};
  return keys;
}

std::vector<std::string> guarded_suffixes() {
  std::vector<std::string> s{"meta", "events", "marker", "stalled"};
  for (const auto& [suffix, is_list] : job_keys()) s.push_back(suffix);
  return s;
}

// The preview, and the queue's shape it read (the obliterate's pause needs its layout).
MutationResult preview(redis::Client& client, const ObliterateOptions& o, std::int64_t& active, QueueShape& shape) {
  shape = require_bullmq_queue(client, o.ref, guarded_suffixes());
  MutationResult r;
  r.action = "queue.clear-all";
  r.target = queue_target(client, o.ref);
  r.dry_run = true;
  std::vector<redis::Command> cmds;
  std::string sample = std::to_string(mutation_sample_size - 1);
  for (const auto& [suffix, is_list] : job_keys()) {
    cmds.push_back({is_list ? "LLEN" : "ZCARD", o.ref.key(suffix)});
    cmds.push_back({is_list ? "LRANGE" : "ZRANGE", o.ref.key(suffix), "0", sample});
  }
  auto replies = client.pipeline(cmds);
  for (std::size_t i = 0; i < replies.size(); i += 2) {
    if (replies[i].is_error()) throw unknown_error(fmt::format("{}: {}", r.target, replies[i].str));
    r.matched += replies[i].integer;
    for (const auto& id : replies[i + 1].elements) r.add_sample(id.str);
  }
  active = replies[0].integer;
  return r;
}

}  // namespace

MutationResult preview_obliterate(redis::Client& client, const ObliterateOptions& o, std::int64_t& active) {
  QueueShape shape;
  return preview(client, o, active, shape);
}

MutationResult obliterate_queue(redis::Client& client, const ObliterateOptions& o,
                                const std::function<void(std::int64_t done)>& progress) {
  std::int64_t active = 0;
  QueueShape shape;
  MutationResult r = preview(client, o, active, shape);
  // The pause of a BullMQ 5 queue also moves wait to the paused list, as opsctl queue pause does.
  const std::string mode = choose_layout(shape).lua_mode();
  r.dry_run = false;
  r.matched = 0;
  const QueueRef& ref = o.ref;
  RemovalBatch batch;
  interruptible(r, [&] {
  for (bool first = true;; first = false) {
    std::int64_t budget = batch.size();
    auto started = std::chrono::steady_clock::now();
    auto reply = client.eval(lua::obliterate_batch,
                             {ref.key("meta"), ref.key("active"), ref.key("events"), ref.key("marker"),
                              ref.key("wait"), ref.key("paused")},
                             {ref.base(), std::to_string(budget), o.force == Force::yes ? "force" : "",
                              first ? "pause" : "", mode});
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    if (reply.type != redis::ReplyType::array || reply.elements.size() != 3) {
      throw unknown_error(fmt::format("{}: unexpected reply from the obliterate script", r.target));
    }
    std::int64_t status = reply.elements[0].integer;
    std::int64_t removed = reply.elements[1].integer;
    const auto& problems = reply.elements[2].elements;
    for (std::size_t i = 0; i + 1 < problems.size(); i += 2) {
      const std::string& id = problems[i].str;
      const std::string& kind = problems[i + 1].str;
      std::string text = kind.rfind("missing:", 0) == 0
                             ? fmt::format("no job hash (id listed in {}); id dropped", kind.substr(8))
                             : fmt::format("key {} is a {}, not a job hash; left in place, id dropped",
                                           ref.job_key(id), kind);
      r.problems.push_back({id, ref.job_key(id), "", text});
    }
    r.changed += removed;
    r.matched += removed + static_cast<std::int64_t>(problems.size() / 2);
    if (progress) progress(r.changed);
    if (status == -2 && first) throw refused_error(active_jobs_refusal(r.target, client.command({"LLEN", ref.key("active")}).integer));
    if (status == -2 || status == -1) {
      throw critical_error(fmt::format("queue.clear --all: {}: stopped after removing {} jobs: {}; the queue stays "
                                       "paused, run the command again to finish", r.target, r.changed,
                                       status == -1 ? "the queue was resumed meanwhile"
                                                    : "jobs became active meanwhile (pass --force to remove them)"));
    }
    if (status == 0) break;
    batch.record(elapsed, budget);
  }
  });
  return r;
}

}  // namespace opsctl::queue
