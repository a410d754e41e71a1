#include "redis/cluster.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "redis/transport.h"
#include "util/redact.h"

namespace opsctl::redis {
namespace {

constexpr int kMaxRedirects = 16;

bool is_verb(const Command& argv, std::string_view verb) {
  if (argv.empty() || argv[0].size() != verb.size()) return false;
  return std::equal(verb.begin(), verb.end(), argv[0].begin(),
                    [](char a, char b) { return a == std::toupper(static_cast<unsigned char>(b)); });
}

std::string address(const HostPort& n) { return fmt::format("{}:{}", n.host, n.port); }

}  // namespace

std::string cross_slot_explanation() {
  return "the keys of one command or script hash to different slots of the Redis Cluster (CROSSSLOT); BullMQ on Redis "
         "Cluster needs a hash tag in the prefix, e.g. --prefix '{bull}' or a queue name in braces";
}

Cluster::Cluster(Target target, ConnectOptions options, Client seed)
    : target_(std::move(target)), options_(std::move(options)), seed_(std::move(seed)) {
  refresh();
}

void Cluster::refresh() {
  // The seed first, then the masters known so far: a map from any node is the map of the cluster.
  std::vector<Client*> askers{&seed_};
  for (auto& [addr, c] : nodes_) askers.push_back(c.get());
  std::optional<Error> last;
  for (Client* c : askers) {
    try {
      const std::string& host = c->target().host;
      Reply shards = c->pipeline({{"CLUSTER", "SHARDS"}})[0];
      std::optional<SlotMap> map;
      if (!shards.is_error()) {
        map = parse_cluster_shards(shards, c->target().tls.enabled, host);
      } else {  // Redis before 7: CLUSTER SLOTS
        Reply slots = c->pipeline({{"CLUSTER", "SLOTS"}})[0];
        if (slots.is_error()) throw_reply_error(c->target(), {"CLUSTER", "SLOTS"}, slots.str);
        map = parse_cluster_slots(slots, host);
      }
      if (!map) {
        throw unknown_error(util::redact(fmt::format("redis {}: CLUSTER SHARDS did not answer a slot map",
                                                     c->target().display())));
      }
      map_ = std::move(*map);
      return;
    } catch (const Error& e) {
      last = e;
    }
  }
  throw *last;
}

Client& Cluster::node(const HostPort& a) {
  auto& slot = nodes_[address(a)];
  if (!slot) {
    Target t = target_;
    t.host = a.host;
    t.port = a.port;
    t.seeds.clear();
    t.cluster = false;
    slot = std::make_unique<Client>(Client::connect_node(t, options_, nullptr));
  }
  return *slot;
}

Client& Cluster::route(const Command& argv) {
  auto keys = routing_keys(argv);
  if (keys.empty()) return seed_;
  const int slot = key_slot(keys[0]);
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (key_slot(keys[i]) != slot) {
      throw Error(ExitCode::usage, ErrorKind::usage,
                  util::redact(fmt::format("redis {}: keys {} and {}: {}", target_.display(), keys[0], keys[i],
                                           cross_slot_explanation())));
    }
  }
  auto owner = map_.slot_owner[static_cast<std::size_t>(slot)];
  if (owner < 0) {
    refresh();
    owner = map_.slot_owner[static_cast<std::size_t>(slot)];
  }
  if (owner < 0) {
    throw Error(ExitCode::critical, ErrorKind::unavailable,
                util::redact(fmt::format("redis {}: no master serves slot {} of key {} (the cluster is not ok: "
                                         "redis-cli --cluster check)",
                                         target_.display(), slot, keys[0])));
  }
  return node(map_.masters[static_cast<std::size_t>(owner)]);
}

Reply Cluster::follow(const Command& argv, Reply reply, Client* from) {
  const auto deadline = Clock::now() + options_.command_timeout;
  auto backoff = std::chrono::milliseconds(5);
  for (int redirects = 0; reply.is_error(); ++redirects) {
    if (reply.str.starts_with("CLUSTERDOWN")) throw_reply_error(from->target(), argv, reply.str);
    if (redirects >= kMaxRedirects) return reply;
    if (auto r = parse_redirect(reply.str, from->target().host)) {
      Client& to = node(r->node);
      if (r->kind == Redirect::Kind::moved) {
        // The slot has a new owner for good: a fresh map, unless it already says so.
        auto owner = map_.slot_owner[static_cast<std::size_t>(r->slot)];
        if (owner < 0 || address(map_.masters[static_cast<std::size_t>(owner)]) != address(r->node)) {
          refresh();
          map_.slot_owner[static_cast<std::size_t>(r->slot)] = static_cast<std::int16_t>(map_.add_master(r->node));
        }
        reply = std::move(to.pipeline({argv})[0]);
      } else {
        reply = std::move(to.pipeline({{"ASKING"}, argv})[1]);
      }
      from = &to;
      continue;
    }
    if (!reply.str.starts_with("TRYAGAIN")) return reply;
    // A multi-key command during a slot migration: wait for the keys to settle on one node.
    if (Clock::now() + backoff > deadline) return reply;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(100));
    from = &route(argv);
    reply = std::move(from->pipeline({argv})[0]);
  }
  return reply;
}

Reply Cluster::command(const Command& argv) {
  drain();
  if (is_verb(argv, "SCRIPT")) {  // the script cache is per node: load (or flush) on every master
    Reply last;
    for (Client* m : masters()) last = m->command(argv);
    return last;
  }
  Client& n = route(argv);
  Reply r = follow(argv, std::move(n.pipeline({argv})[0]), &n);
  if (r.is_error()) throw_reply_error(target_, argv, r.str);
  return r;
}

std::vector<Reply> Cluster::pipeline(const std::vector<Command>& commands) {
  drain();
  std::vector<Client*> to(commands.size());
  std::vector<std::pair<Client*, std::vector<std::size_t>>> groups;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    to[i] = &route(commands[i]);
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& p) { return p.first == to[i]; });
    if (g == groups.end()) {
      groups.push_back({to[i], {}});
      g = groups.end() - 1;
    }
    g->second.push_back(i);
  }
  // Every node gets its commands before any reply is read: the nodes work at the same time.
  for (auto& [node, idx] : groups) {
    std::vector<Command> mine;
    mine.reserve(idx.size());
    for (auto i : idx) mine.push_back(commands[i]);
    node->send_all(mine);
  }
  std::vector<Reply> out(commands.size());
  for (auto& [node, idx] : groups) {
    for (auto i : idx) out[i] = node->receive();
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (out[i].is_error()) out[i] = follow(commands[i], std::move(out[i]), to[i]);
  }
  return out;
}

void Cluster::send(const Command& argv) {
  Client& n = route(argv);
  n.send(argv);
  pending_.push_back({&n, argv, std::nullopt});
}

void Cluster::drain() {
  for (auto& p : pending_) {
    if (!p.reply) p.reply = p.node->receive();
  }
}

Reply Cluster::receive() {
  if (pending_.empty()) throw unknown_error("redis: receive() without a command sent (a bug of opsctl's)");
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  Reply r = p.reply ? std::move(*p.reply) : p.node->receive();
  if (r.is_error() && !r.str.starts_with("NOSCRIPT")) {
    drain();  // the nodes' streams are clean, so the redirection can use any of them
    r = follow(p.argv, std::move(r), p.node);
  }
  return r;
}

const std::string& Cluster::script_sha(std::string_view script) {
  auto& sha = script_sha_[script.data()];
  if (sha.empty()) sha = command({"SCRIPT", "LOAD", std::string(script)}).str;
  return sha;
}

Reply Cluster::eval(std::string_view script, const std::vector<std::string>& keys,
                    const std::vector<std::string>& args) {
  auto make = [&](const std::string& verb, const std::string& body) {
    Command cmd{verb, body, std::to_string(keys.size())};
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    cmd.insert(cmd.end(), args.begin(), args.end());
    return cmd;
  };
  drain();
  Command cmd = make("EVALSHA", script_sha(script));
  Client& n = route(cmd);
  Reply r = follow(cmd, std::move(n.pipeline({cmd})[0]), &n);
  if (r.is_error() && r.str.starts_with("NOSCRIPT")) {  // a node that never saw it (a new master)
    Command body = make("EVAL", std::string(script));
    Client& m = route(body);
    r = follow(body, std::move(m.pipeline({body})[0]), &m);
  }
  if (r.is_error()) throw_reply_error(target_, keys.empty() ? Command{"EVAL"} : Command{"EVAL", keys[0]}, r.str);
  return r;
}

std::vector<Client*> Cluster::masters() {
  drain();
  std::vector<Client*> out;
  for (const auto& m : map_.masters) out.push_back(&node(m));
  return out;
}

Client& Cluster::node_of(std::string_view key) {
  drain();
  return route({"GET", std::string(key)});
}

}  // namespace opsctl::redis
