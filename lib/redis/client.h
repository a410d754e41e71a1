#pragma once
// RAII Redis connection with deadlines on connect and on every reply: our own transport (TCP, Unix
// socket, TLS; lib/redis/transport.h), hiredis formatting commands and parsing replies.
// Failures throw opsctl::Error whose message names the redacted target and says what to do:
// refused, timed out, wrong password, wrong key type, read-only replica.
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

class Client {
 public:
  // Connects, authenticates (AUTH [user] password) and selects the db. Throws Error(critical).
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

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl, Target target);
  void write(const std::string& bytes);
  Reply read_reply();
  std::unique_ptr<Impl> impl_;
  Target target_;
};

// The Error an error reply becomes, with the command name and first key for context.
[[noreturn]] void throw_reply_error(const Target& target, const Command& argv, const std::string& message);

}  // namespace opsctl::redis
