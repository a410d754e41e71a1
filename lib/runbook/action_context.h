#pragma once
// What runbook actions may touch, supplied by the caller: cmd/ builds it over the session (lazy
// clients, the user's --timeout), unit tests fake it. Nothing here prints or prompts.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "pg/connection.h"
#include "redis/target.h"

namespace opsctl::queue {
class QueueStore;
}

namespace opsctl::runbook {

class ActionContext {
 public:
  virtual ~ActionContext() = default;

  // The queues of the session's Redis (lib/queue/store.h), connected on first use: queue actions
  // reach BullMQ as the queue commands do, never through a raw client.
  virtual queue::QueueStore& queues() = 0;
  virtual std::string prefix() = 0;    // BullMQ key prefix
  // A Redis target for a URL (password from the URL, REDIS_PASSWORD or the context); "" is the
  // session's own target.
  virtual redis::Target redis_target(const std::string& url) = 0;
  virtual pg::Connection& pg() = 0;    // the session's PostgreSQL (--pg), connected on first use
  // Connection options for a conninfo (URL or key=value; "" is the session's --pg), with --timeout.
  virtual pg::ConnectOptions pg_options(const std::string& conninfo) = 0;
  virtual std::chrono::milliseconds timeout() = 0;  // deadline of one network wait
  virtual std::int64_t now_ms() = 0;                // wall clock, epoch milliseconds
  virtual void sleep_for(std::chrono::milliseconds d) = 0;
  // An environment variable of the caller (notify's url_env); nullopt when unset.
  virtual std::optional<std::string> env(const std::string& /*name*/) { return std::nullopt; }
};

}  // namespace opsctl::runbook
