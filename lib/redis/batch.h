#pragma once
// Many independent reads in one round trip: callers add commands, keep the returned slot numbers,
// run the batch once, then read each reply by its slot. Used to read 200 queues in a few pipelines
// instead of one round trip per key.
#include <cstddef>
#include <vector>

#include "redis/client.h"

namespace opsctl::redis {

class Batch {
 public:
  // Queues a command; returns its slot.
  std::size_t add(Command command) {
    commands_.push_back(std::move(command));
    return commands_.size() - 1;
  }
  bool empty() const { return commands_.empty(); }
  // Sends every queued command in one pipeline. Error replies are kept (see Client::pipeline).
  void run(Client& client) {
    replies_ = commands_.empty() ? std::vector<Reply>{} : client.pipeline(commands_);
  }
  const Reply& at(std::size_t slot) const { return replies_.at(slot); }

 private:
  std::vector<Command> commands_;
  std::vector<Reply> replies_;
};

// Milliseconds of a TIME reply (seconds, microseconds), or nullopt when it is not one.
std::optional<std::int64_t> time_reply_ms(const Reply& reply);

}  // namespace opsctl::redis
