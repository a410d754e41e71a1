#pragma once
// RAII Redis connection with deadlines on connect and on every reply: our own transport (TCP, Unix
// socket, TLS; lib/redis/transport.h), hiredis formatting commands and parsing replies.
// Failures throw opsctl::Error whose message names the redacted target and says what to do:
// refused, timed out, wrong password, wrong key type, read-only replica.
// A Redis Cluster is detected at login (INFO cluster in the setup round trip) and then routed by key
// slot (lib/redis/cluster.h) behind the same calls, so the layers above do not know the topology.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redis/reply.h"
#include "redis/target.h"

namespace opsctl::redis {

using Command = std::vector<std::string>;

struct ConnectOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{5000};
  std::string client_name = "opsctl";  // CLIENT SETNAME, so operators see us in CLIENT LIST
};

class Cluster;

class Client {
 public:
  // Connects, authenticates (AUTH [user] password) and selects the db. Throws Error(critical).
  // A cluster node (cluster_enabled:1) makes a cluster client; target.cluster requires one (Error
  // config otherwise); target.seeds are tried in turn when host:port cannot be reached.
  static Client connect(const Target& target, const ConnectOptions& options);

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // One command. An error reply is thrown as a typed Error (WRONGTYPE: unknown, others: critical).
  Reply command(const Command& argv);
  // Several commands in one round trip. Error replies are returned, not thrown (per-key problems are
  // data for the caller); connection failures still throw.
  std::vector<Reply> pipeline(const std::vector<Command>& commands);
  // EVALSHA with the script cache, falling back to EVAL on NOSCRIPT. Error replies are thrown.
  Reply eval(std::string_view script, const std::vector<std::string>& keys, const std::vector<std::string>& args);

  // Pipelining across calls, to keep Redis busy with the next command while the reply of the
  // current one travels back: send() writes a command at once, receive() takes the oldest pending
  // reply (error replies returned, not thrown). Do not mix with the calls above while replies are
  // pending.
  void send(const Command& argv);
  Reply receive();
  // The SHA1 a script is cached under, loading it (SCRIPT LOAD) on first use: for EVALSHA via send().
  const std::string& script_sha(std::string_view script);

  const Target& target() const { return target_; }

  bool is_cluster() const { return cluster_ != nullptr; }
  // Every master of a cluster, each a plain connection to that node, for keyless commands that must
  // reach every node (SCAN, CLIENT LIST); {this} when not a cluster.
  std::vector<Client*> masters();
  // The plain connection of the node serving key's slot; *this when not a cluster.
  Client& node_of(std::string_view key);

 private:
  friend class Cluster;
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl, Target target);
  // One node, no cluster routing; cluster_enabled (when not null) learns INFO cluster's answer.
  static Client connect_node(const Target& target, const ConnectOptions& options, bool* cluster_enabled);
  void send_all(const std::vector<Command>& commands);  // one write for many commands
  void write(const std::string& bytes);
  Reply read_reply();
  std::unique_ptr<Impl> impl_;
  Target target_;
  std::unique_ptr<Cluster> cluster_;
};

// The Error an error reply becomes, with the command name and first key for context.
[[noreturn]] void throw_reply_error(const Target& target, const Command& argv, const std::string& message);

}  // namespace opsctl::redis
