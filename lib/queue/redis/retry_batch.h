#pragma once
// One call of queue-retry.lua as both paths of `queue retry` use it: the command, its reply, and
// the tally of what it did into the result. Internal to lib/queue/retry*.cpp.
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "queue/redis/retry.h"
#include "queue/redis/retry_page.h"

namespace opsctl::queue {

struct BatchNote {
  std::string id;
  std::int64_t code = 0;  // 1 moved (a sample), 0 gone, -1 no hash, -2 not a hash
  std::string score;
};

struct BatchReply {
  std::int64_t moved = 0;
  std::int64_t considered = 0;   // ids read (range) or given (ids)
  std::string last_score;        // of the last id considered; "" when none
  std::vector<BatchNote> notes;  // every job not moved, and a sample of the moved ones, in order
  double server_ms = 0;          // how long the call kept Redis busy
};

// EVALSHA of queue-retry.lua; `tail` is the mode ("range" min offset count, or "ids" id...); the
// window's own minimum travels too, for the re-check of each id in "ids" mode.
redis::Command batch_command(redis::Client& client, const RetryQueue& q, const QueueRetryOptions& o,
                             std::int64_t sample_wanted, std::vector<std::string> tail);

// Throws unknown_error when the reply is not the script's shape.
BatchReply parse_batch(redis::Reply&& reply);

// Runs one batch and waits for it (the filter path). A NOSCRIPT reply (script cache flushed) loads
// the script again and retries once; other error replies are thrown.
BatchReply run_batch(redis::Client& client, const redis::Command& cmd);

// Error replies of pipelined batches: NOSCRIPT means the call did nothing and may be sent again.
bool is_noscript(const redis::Reply& reply);

// Counts what batches did into the result. A skipped job may come back in a later page (a batch
// already in flight reads it again): it is counted and reported once.
class Tally {
 public:
  Tally(MutationResult& res, const RetryQueue& q, const std::string& state) : res_(res), q_(q), state_(state) {}
  std::int64_t sample_wanted() const;
  void add(const BatchReply& b);
  // A job skipped on the client (filter path): no hash, or not a hash.
  void skip(const std::string& id, PageJob::Verdict why);

 private:
  MutationResult& res_;
  const RetryQueue& q_;
  const std::string& state_;
  std::unordered_set<std::string> skipped_;
};

}  // namespace opsctl::queue
