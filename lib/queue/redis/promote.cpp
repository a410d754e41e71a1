#include "queue/redis/promote.h"

#include <algorithm>
#include <set>

#include "queue/redis/lua_scripts.h"
#include "queue/redis/state_common.h"

namespace opsctl::queue {
namespace {

const std::vector<std::string> used_keys{"delayed", "wait", "paused", "meta", "active", "marker", "events"};

struct Entry {
  std::string id;
  std::string score;  // as Redis prints it: equal scores are equal strings
};

// Walks the delayed zset in score order with a (score, ids seen at that score) cursor, so ids the
// script leaves in place (problems) are not read again and concurrent changes cannot make it loop.
class DelayedCursor {
 public:
  DelayedCursor(redis::Client& client, std::string key) : client_(client), key_(std::move(key)) {}

  std::vector<Entry> next(std::size_t n) {
    auto reply = client_.command({"ZRANGEBYSCORE", key_, min_, "+inf", "WITHSCORES", "LIMIT", "0",
                                  std::to_string(n + seen_at_min_.size())});
    std::vector<Entry> page;
    for (std::size_t i = 0; i + 1 < reply.elements.size() && page.size() < n; i += 2) {
      Entry e{reply.elements[i].str, reply.elements[i + 1].str};
      if (e.score == min_ && seen_at_min_.count(e.id)) continue;
      page.push_back(std::move(e));
    }
    if (page.empty()) return page;
    if (page.back().score != min_) {
      min_ = page.back().score;
      seen_at_min_.clear();
    }
    for (const auto& e : page) {
      if (e.score == min_) seen_at_min_.insert(e.id);
    }
    return page;
  }

 private:
  redis::Client& client_;
  std::string key_;
  std::string min_ = "-inf";
  std::set<std::string> seen_at_min_;
};

}  // namespace

MutationResult promote_delayed(redis::Client& client, const PromoteOptions& o) {
  const QueueRef& q = o.ref;
  QueueShape shape = checked_shape(client, q, used_keys);
  LayoutChoice layout = choose_layout(shape);
  MutationResult r;
  r.action = "queue.promote";
  r.target = queue_target(client, q);
  r.dry_run = o.dry_run == DryRun::yes;
  r.details = {{"layout", layout.name}};
  std::int64_t cap = o.limit.value_or(INT64_MAX);

  if (r.dry_run) {  // O(1) preview: the count and the first ids due
    std::int64_t total = client.command({"ZCARD", q.key("delayed")}).as_int().value_or(0);
    r.matched = std::min(total, cap);
    std::int64_t shown = std::min<std::int64_t>(r.matched, mutation_sample_size);
    if (shown > 0) {
      for (const auto& e : client.command({"ZRANGE", q.key("delayed"), "0", std::to_string(shown - 1)}).elements) {
        r.add_sample(e.str);
      }
    }
    return r;
  }

  const std::vector<std::string> keys{q.key("delayed"), q.key("wait"),   q.key("paused"), q.key("meta"),
                                      q.key("active"),  q.key("marker"), q.key("events")};
  DelayedCursor cursor(client, q.key("delayed"));
  interruptible(r, [&] {
  while (r.changed < cap) {
    auto want = static_cast<std::size_t>(std::min<std::int64_t>(cap - r.changed, static_cast<std::int64_t>(o.page)));
    auto page = cursor.next(want);
    if (page.empty()) break;
    std::vector<std::string> args{q.base(), layout.lua_mode()};
    for (const auto& e : page) args.push_back(e.id);
    std::size_t problems_before = r.problems.size();
    auto moved = read_script_reply(client.eval(lua::promote_delayed, keys, args), q, r.problems);
    for (const auto& id : moved) r.add_sample(id);
    auto n = static_cast<std::int64_t>(moved.size());
    r.changed += n;
    r.matched += n + static_cast<std::int64_t>(r.problems.size() - problems_before);
    if (o.progress) o.progress(r.changed);
  }
  });
  return r;
}

}  // namespace opsctl::queue
