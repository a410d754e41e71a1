#include "queue/redis/pause.h"

#include "queue/redis/lua_scripts.h"
#include "queue/redis/state_common.h"

namespace opsctl::queue {
namespace {

const std::vector<std::string> list_keys{"wait", "paused", "meta", "prioritized", "delayed", "marker", "events"};

struct Before {
  QueueShape shape;
  LayoutChoice layout;
  std::int64_t wait = 0, paused_list = 0, prioritized = 0;
};

Before read_before(redis::Client& client, const QueueRef& ref) {
  Before b;
  b.shape = checked_shape(client, ref, list_keys);
  b.layout = choose_layout(b.shape);
  auto r = client.pipeline({{"LLEN", ref.key("wait")}, {"LLEN", ref.key("paused")}, {"ZCARD", ref.key("prioritized")}});
  b.wait = r[0].as_int().value_or(0);
  b.paused_list = r[1].as_int().value_or(0);
  b.prioritized = r[2].as_int().value_or(0);
  return b;
}

MutationResult base_result(const char* action, redis::Client& client, const PauseOptions& o, const Before& b) {
  MutationResult r;
  r.action = action;
  r.target = queue_target(client, o.ref);
  r.dry_run = o.dry_run == DryRun::yes;
  r.details = {{"layout", b.layout.name},
               {"layout_reason", b.layout.reason},
               {"paused_before", b.shape.paused},
               {"jobs", b.wait + b.paused_list + b.prioritized},
               {"jobs_moved", 0},
               {"calls", 0}};
  return r;
}

// Calls a script until it reports nothing left to move; returns {moved, calls}.
std::pair<std::int64_t, std::int64_t> run_batches(redis::Client& client, std::string_view script,
                                                  const std::vector<std::string>& keys, const LayoutChoice& layout,
                                                  const PauseOptions& o) {
  std::int64_t moved = 0, calls = 0;
  for (bool first = true;; first = false) {
    auto reply = client.eval(script, keys, {layout.lua_mode(), first ? "1" : "0"});
    ++calls;
    std::int64_t remaining = 0;
    if (reply.type == redis::ReplyType::array && reply.elements.size() == 2) {
      moved += reply.elements[0].as_int().value_or(0);
      remaining = reply.elements[1].as_int().value_or(0);
    }
    if (o.progress) o.progress(moved);
    if (remaining <= 0) break;
  }
  return {moved, calls};
}

}  // namespace

MutationResult pause_queue(redis::Client& client, const PauseOptions& o) {
  Before b = read_before(client, o.ref);
  MutationResult r = base_result("queue.pause", client, o, b);
  // Already paused: nothing to do, except merging a wait list that BullMQ 5 producers should not
  // have written to (a paused BullMQ 5 queue keeps its jobs in the paused list).
  bool stray_wait = b.layout.layout == PauseLayout::legacy && b.wait > 0;
  r.matched = (!b.shape.paused || stray_wait) ? 1 : 0;
  if (r.matched == 0 || r.dry_run) return r;
  const auto& q = o.ref;
  auto [moved, calls] = run_batches(client, lua::pause_queue,
                                    {q.key("wait"), q.key("paused"), q.key("meta"), q.key("marker"), q.key("events")},
                                    b.layout, o);
  r.changed = 1;
  r.details["jobs_moved"] = moved;
  r.details["calls"] = calls;
  return r;
}

MutationResult resume_queue(redis::Client& client, const PauseOptions& o) {
  Before b = read_before(client, o.ref);
  MutationResult r = base_result("queue.resume", client, o, b);
  r.matched = (b.shape.paused || b.paused_list > 0) ? 1 : 0;
  if (r.matched == 0 || r.dry_run) return r;
  const auto& q = o.ref;
  auto [moved, calls] = run_batches(client, lua::resume_queue,
                                    {q.key("wait"), q.key("paused"), q.key("meta"), q.key("prioritized"),
                                     q.key("delayed"), q.key("marker"), q.key("events")},
                                    b.layout, o);
  r.changed = 1;
  r.details["jobs_moved"] = moved;
  r.details["calls"] = calls;
  return r;
}

}  // namespace opsctl::queue
