#include "queue/redis/retry_batch.h"

#include "core/error.h"
#include "queue/redis/lua_scripts.h"

namespace opsctl::queue {

redis::Command batch_command(redis::Client& client, const RetryQueue& q, const QueueRetryOptions& o,
                             std::int64_t sample_wanted, std::vector<std::string> tail) {
  const auto& r = q.ref;
  const FinishedWindow window = retry_window(o);
  redis::Command cmd = {"EVALSHA", client.script_sha(lua::queue_retry), "7",
                        r.key(o.state), r.key("wait"), r.key("paused"), r.key("meta"), r.key("active"),
                        r.key("marker"), r.key("events"),
                        r.base(), o.state, std::to_string(window.max_score),
                        o.reset == ResetAttempts::yes ? "1" : "0", q.legacy_paused_list ? "1" : "0",
                        std::to_string(sample_wanted), std::to_string(window.min_score)};
  cmd.insert(cmd.end(), std::make_move_iterator(tail.begin()), std::make_move_iterator(tail.end()));
  return cmd;
}

BatchReply parse_batch(redis::Reply&& reply) {
  auto& e = reply.elements;
  if (reply.type != redis::ReplyType::array || e.size() != 7 || e[3].elements.size() != e[4].elements.size() ||
      e[3].elements.size() != e[5].elements.size()) {
    throw unknown_error("queue-retry.lua: unexpected reply (a different script under the same SHA1?)");
  }
  BatchReply out;
  out.moved = e[0].integer;
  out.considered = e[1].integer;
  out.last_score = std::move(e[2].str);
  out.notes.reserve(e[3].elements.size());
  for (std::size_t i = 0; i < e[3].elements.size(); ++i) {
    out.notes.push_back({std::move(e[3].elements[i].str), e[4].elements[i].integer, std::move(e[5].elements[i].str)});
  }
  out.server_ms = static_cast<double>(e[6].integer) / 1000.0;
  return out;
}

bool is_noscript(const redis::Reply& reply) {
  return reply.is_error() && reply.str.compare(0, 8, "NOSCRIPT") == 0;
}

BatchReply run_batch(redis::Client& client, const redis::Command& cmd) {
  client.send(cmd);
  redis::Reply reply = client.receive();
  if (is_noscript(reply)) {
    client.command({"SCRIPT", "LOAD", std::string(lua::queue_retry)});
    client.send(cmd);
    reply = client.receive();
  }
  if (reply.is_error()) redis::throw_reply_error(client.target(), {"EVALSHA", cmd[3]}, reply.str);
  return parse_batch(std::move(reply));
}

std::int64_t Tally::sample_wanted() const {
  return static_cast<std::int64_t>(mutation_sample_size - std::min(mutation_sample_size, res_.ids.size()));
}

void Tally::add(const BatchReply& b) {
  res_.matched += b.moved;
  res_.changed += b.moved;
  for (const auto& n : b.notes) {
    if (n.code == 1) res_.add_sample(n.id);
    else if (n.code < 0) skip(n.id, n.code == -1 ? PageJob::Verdict::no_hash : PageJob::Verdict::not_a_hash);
    // 0: moved or removed by someone else meanwhile, not ours to count
  }
}

void Tally::skip(const std::string& id, PageJob::Verdict why) {
  if (!skipped_.insert(id).second) return;
  ++res_.matched;
  res_.problems.push_back(skipped_problem(q_, state_, id, why));
}

}  // namespace opsctl::queue
