#include "queue/redis/job_retry.h"

#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/redis/guard.h"
#include "queue/redis/lua_scripts.h"

namespace opsctl::queue {
namespace {

constexpr std::size_t ids_per_call = 100;  // a dozen commands per id, ~20 us: a call stays near 2 ms

std::vector<std::string> unique_ids(const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (seen.insert(id).second) out.push_back(id);
  }
  return out;
}

IdResult refused(const std::string& id, const std::string& state) {
  return {id, "refused", fmt::format("not in failed/completed (state {})", state)};
}

IdResult not_found(const std::string& id) { return {id, "not found", "no job hash"}; }

IdResult not_a_hash(const RetryQueue& q, const std::string& id) {
  return {id, "skipped", fmt::format("key {} is not a hash", q.ref.job_key(id))};
}

// Fills in the states of the refused ids (marked with an empty reason) in one round trip.
void explain_refusals(redis::Client& client, const RetryQueue& q, MutationResult& res) {
  std::vector<std::string> ids;
  for (const auto& r : res.results) {
    if (r.result == "refused" && r.reason.empty()) ids.push_back(r.id);
  }
  if (ids.empty()) return;
  auto states = job_states(client, q.ref, ids);
  std::size_t k = 0;
  for (auto& r : res.results) {
    if (r.result == "refused" && r.reason.empty()) r = refused(r.id, states[k++]);
  }
}

MutationResult base_result(const redis::Client& client, const JobRetryOptions& o) {
  MutationResult r;
  r.action = "job.retry";
  r.target = queue_target(client, o.ref);
  return r;
}

}  // namespace

std::vector<std::string> job_states(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& ids) {
  struct Probe {
    const char* state;
    const char* suffix;
    bool list;
  };
  static constexpr Probe probes[] = {
      {"completed", "completed", false}, {"failed", "failed", false}, {"delayed", "delayed", false},
      {"prioritized", "prioritized", false}, {"active", "active", true}, {"waiting", "wait", true},
      {"waiting", "paused", true}, {"waiting-children", "waiting-children", false}};
  std::vector<redis::Command> cmds;
  for (const auto& id : ids) {
    for (const auto& p : probes) {
      cmds.push_back(p.list ? redis::Command{"LPOS", ref.key(p.suffix), id} : redis::Command{"ZSCORE", ref.key(p.suffix), id});
    }
  }
  auto replies = client.pipeline(cmds);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string state = "unknown";
    for (std::size_t k = 0; k < std::size(probes); ++k) {
      const auto& r = replies[i * std::size(probes) + k];
      if (!r.is_error() && !r.is_nil()) {
        state = probes[k].state;
        break;
      }
    }
    out.push_back(state);
  }
  return out;
}

MutationResult plan_job_retry(redis::Client& client, const JobRetryOptions& o) {
  auto q = open_retry_queue(client, o.ref);
  auto ids = unique_ids(o.ids);
  std::vector<redis::Command> cmds;
  for (const auto& id : ids) {
    cmds.push_back({"TYPE", o.ref.job_key(id)});
    cmds.push_back({"ZSCORE", o.ref.key("failed"), id});
    cmds.push_back({"ZSCORE", o.ref.key("completed"), id});
  }
  auto replies = client.pipeline(cmds);
  MutationResult res = base_result(client, o);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string type = replies[3 * i].as_string().value_or("none");
    if (type == "none") {
      res.results.push_back(not_found(ids[i]));
    } else if (type != "hash") {
      res.results.push_back(not_a_hash(q, ids[i]));
    } else if (!replies[3 * i + 1].is_nil() || !replies[3 * i + 2].is_nil()) {
      ++res.matched;
      res.add_sample(ids[i]);
      res.results.push_back({ids[i], "would retry", ""});
    } else {
      res.results.push_back({ids[i], "refused", ""});
    }
  }
  explain_refusals(client, q, res);
  return res;
}

MutationResult job_retry(redis::Client& client, const JobRetryOptions& o) {
  auto q = open_retry_queue(client, o.ref);
  auto ids = unique_ids(o.ids);
  const auto& r = o.ref;
  std::vector<std::string> keys = {r.key("failed"), r.key("completed"), r.key("wait"),        r.key("paused"),
                                   r.key("meta"),   r.key("active"),    r.key("marker"),      r.key("prioritized"),
                                   r.key("pc"),     r.key("events")};
  MutationResult res = base_result(client, o);
  for (std::size_t from = 0; from < ids.size(); from += ids_per_call) {
    std::vector<std::string> args = {r.base(), o.reset == ResetAttempts::yes ? "1" : "0",
                                     q.legacy_paused_list ? "1" : "0"};
    std::size_t to = std::min(ids.size(), from + ids_per_call);
    args.insert(args.end(), ids.begin() + static_cast<std::ptrdiff_t>(from), ids.begin() + static_cast<std::ptrdiff_t>(to));
    auto reply = client.eval(lua::job_retry, keys, args);
    if (reply.elements.size() != to - from) throw unknown_error("job-retry.lua: unexpected reply");
    for (std::size_t i = from; i < to; ++i) {
      const std::string& code = reply.elements[i - from].str;
      if (code == "failed" || code == "completed") {
        ++res.matched;
        ++res.changed;
        res.add_sample(ids[i]);
        res.results.push_back({ids[i], "retried", ""});
      } else if (code == "missing") {
        res.results.push_back(not_found(ids[i]));
      } else if (code == "notahash") {
        res.results.push_back(not_a_hash(q, ids[i]));
      } else {
        res.results.push_back({ids[i], "refused", ""});
      }
    }
  }
  explain_refusals(client, q, res);
  return res;
}

}  // namespace opsctl::queue
