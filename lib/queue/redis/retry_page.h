#pragma once
// One page of a state set as `queue retry` sees it: read with ZRANGEBYSCORE at a cursor, then,
// when --name or --reason is given, each job's name and failedReason are read (one pipelined round
// trip) and matched here, on the client, so the Lua scripts stay short.
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "queue/redis/retry.h"
#include "queue/job_filter.h"

namespace opsctl::queue {


struct PageJob {
  std::string id;
  std::string score;
  enum class Verdict { candidate, filtered_out, no_hash, not_a_hash } verdict = Verdict::candidate;
};

// Up to `count` jobs of the state set from the cursor, scores within [cursor, max_score].
std::vector<PageJob> read_page(redis::Client& client, const std::string& state_key,
                               const PageCursor& cursor, const std::string& max_score, std::int64_t count);

// Sets each job's verdict from its hash: filtered out, or a problem (no hash, not a hash).
void classify_page(redis::Client& client, const RetryQueue& q, const JobFilter& filter, std::vector<PageJob>& page);

// The problem a skipped job is reported with.
Problem skipped_problem(const RetryQueue& q, const std::string& state, const std::string& id, PageJob::Verdict why);

}  // namespace opsctl::queue
