#include "queue/redis/clear.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/redis/lua_scripts.h"
#include "queue/redis/removal_batch.h"
#include "queue/redis/guard.h"

namespace opsctl::queue {
namespace {

enum class Check { no, yes };  // yes: the script decides but removes nothing

// What one script call did.
struct BatchOutcome {
  std::int64_t removed = 0;   // or "would remove" when checking
  std::int64_t examined = 0;
  std::int64_t kept = 0;
};

// How clear-batch.lua walks a state.
std::string mode_of(const std::string& state) {
  if (state == "completed" || state == "failed") return "finished";
  if (state == "waiting") return "list";
  return state;  // delayed, prioritized, active
}

// The keys holding a state: waiting also covers a v5 `paused` list still present on a v6 queue.
std::vector<std::string> keys_of(const std::string& state, const QueueShape& shape) {
  if (state != "waiting") return {state};
  if (shape.legacy_paused_list) return {"wait", "paused"};
  return {"wait"};
}

Problem problem_of(const QueueRef& ref, const std::string& suffix, const std::string& id, const std::string& kind) {
  std::string text = kind == "missing"
                         ? fmt::format("no job hash (id listed in {}); skipped", suffix)
                         : fmt::format("key {} is a {}, not a job hash; skipped", ref.job_key(id), kind);
  return {id, ref.job_key(id), "", text};
}

BatchOutcome run_batch(redis::Client& client, const ClearOptions& o, const std::string& suffix, std::int64_t skip,
                       std::int64_t window, Check check, MutationResult& r) {
  const QueueRef& ref = o.ref;
  auto reply = client.eval(lua::clear_batch, {ref.key(suffix), ref.key("events"), ref.key("repeat"), ref.key("meta")},
                           {ref.base(), mode_of(o.state),
                            std::to_string(o.cutoff_ms), std::to_string(skip), std::to_string(window),
                            check == Check::yes ? "check" : "remove", std::to_string(o.min_ms)});
  if (reply.type != redis::ReplyType::array || reply.elements.size() != 5) {
    throw unknown_error(fmt::format("{}: unexpected reply from the clear script", queue_target(client, ref)));
  }
  BatchOutcome b{reply.elements[0].integer, reply.elements[1].integer, reply.elements[2].integer};
  const auto& problems = reply.elements[3].elements;
  for (std::size_t i = 0; i + 1 < problems.size(); i += 2) {
    r.problems.push_back(problem_of(ref, suffix, problems[i].str, problems[i + 1].str));
  }
  for (const auto& id : reply.elements[4].elements) r.add_sample(id.str);
  return b;
}

// Walks every key of the state in batches; returns the jobs removed (or that would be).
std::int64_t walk(redis::Client& client, const ClearOptions& o, const QueueShape& shape, Check check,
                  MutationResult& r, const ClearProgress& progress) {
  std::int64_t total = 0;
  RemovalBatch batch;
  for (const auto& suffix : keys_of(o.state, shape)) {
    std::int64_t skip = 0;
    for (;;) {
      std::int64_t window = batch.size();
      if (o.limit > 0) window = std::min(window, o.limit - total);
      if (window <= 0) return total;
      auto started = std::chrono::steady_clock::now();
      BatchOutcome b = run_batch(client, o, suffix, skip, window, check, r);
      batch.record(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started),
                   b.examined);
      total += b.removed;
      // Removed entries leave the key; the kept ones stay ahead of the next window.
      skip += check == Check::yes ? b.examined : b.kept;
      if (progress) progress(total);
      if (b.examined < window) break;
    }
  }
  return total;
}

MutationResult base_result(redis::Client& client, const ClearOptions& o) {
  MutationResult r;
  r.action = "queue.clear";
  r.target = queue_target(client, o.ref);
  return r;
}

QueueShape checked_shape(redis::Client& client, const ClearOptions& o) {
  check_clear_options(o);
  return require_bullmq_queue(client, o.ref, {state_key_suffix(o.state), "paused", "events", "meta"});
}

}  // namespace

MutationResult preview_clear(redis::Client& client, const ClearOptions& o, DryRun mode, const ClearProgress& progress) {
  QueueShape shape = checked_shape(client, o);
  MutationResult r = base_result(client, o);
  r.dry_run = true;
  if (mode == DryRun::no && mode_of(o.state) == "finished") {
    // A finished job's time is its score: ZCOUNT says how many, the removal re-checks each job.
    std::string key = o.ref.key(o.state), cutoff = std::to_string(o.cutoff_ms), min = std::to_string(o.min_ms);
    auto replies = client.pipeline({{"ZCOUNT", key, min, cutoff},
                                    {"ZRANGEBYSCORE", key, min, cutoff, "LIMIT", "0",
                                     std::to_string(mutation_sample_size)}});
    for (const auto& rep : replies) {
      if (rep.is_error()) throw unknown_error(fmt::format("{}: {}", r.target, rep.str));
    }
    r.matched = replies[0].integer;
    if (o.limit > 0) r.matched = std::min(r.matched, o.limit);
    for (const auto& id : replies[1].elements) {
      if (static_cast<std::int64_t>(r.ids.size()) < r.matched) r.add_sample(id.str);
    }
    return r;
  }
  r.matched = walk(client, o, shape, Check::yes, r, progress);
  r.matched += static_cast<std::int64_t>(r.problems.size());
  return r;
}

MutationResult clear_jobs(redis::Client& client, const ClearOptions& o, const ClearProgress& progress) {
  QueueShape shape = checked_shape(client, o);
  MutationResult r = base_result(client, o);
  interruptible(r, [&] {
    r.changed = walk(client, o, shape, Check::no, r, [&](std::int64_t done) {
      r.changed = done;  // so far, should the walk be cut off
      if (progress) progress(done);
    });
  });
  r.matched = r.changed + static_cast<std::int64_t>(r.problems.size());
  return r;
}

}  // namespace opsctl::queue
