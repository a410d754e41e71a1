#pragma once
// Redis Cluster routing under redis::Client: the slot map (CLUSTER SHARDS, CLUSTER SLOTS on older
// servers), one plain connection per node opened on first use with the seed's login, TLS and
// timeouts, and each command sent to the master of its first key's slot. Pipelines are grouped per
// node and their replies returned in the caller's order; MOVED refreshes the map and retries, ASK
// retries once on the named node after ASKING, TRYAGAIN is retried with a short backoff within the
// command timeout, CLUSTERDOWN becomes a clear Error. Only lib/redis/client.cpp uses this.
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redis/client.h"
#include "redis/cluster_slots.h"

namespace opsctl::redis {

class Cluster {
 public:
  // Reads the slot map through `seed` (a connection to any node). Throws Error when it cannot.
  Cluster(Target target, ConnectOptions options, Client seed);

  Reply command(const Command& argv);  // error replies thrown, as Client::command
  std::vector<Reply> pipeline(const std::vector<Command>& commands);
  Reply eval(std::string_view script, const std::vector<std::string>& keys, const std::vector<std::string>& args);
  void send(const Command& argv);
  Reply receive();
  const std::string& script_sha(std::string_view script);  // loaded on every master
  std::vector<Client*> masters();
  Client& node_of(std::string_view key);

 private:
  void refresh();
  Client& node(const HostPort& address);
  Client& route(const Command& argv);
  // The final reply of argv after `reply` came from `from`: redirections followed, TRYAGAIN retried.
  Reply follow(const Command& argv, Reply reply, Client* from);
  void drain();  // reads every reply still pending from send(), so any node can take a new command

  struct Pending {
    Client* node;
    Command argv;
    std::optional<Reply> reply;
  };
  Target target_;
  ConnectOptions options_;
  Client seed_;
  SlotMap map_;
  std::map<std::string, std::unique_ptr<Client>> nodes_;  // "host:port" -> connection
  std::map<const char*, std::string> script_sha_;
  std::deque<Pending> pending_;
};

// The message of keys of one command or script that hash to different slots (CROSSSLOT).
std::string cross_slot_explanation();

}  // namespace opsctl::redis
