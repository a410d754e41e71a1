#pragma once
// Job counts per state, exactly as BullMQ's Queue.getJobCounts() computes them (getCounts-1.lua):
// lists by LLEN (minus a legacy "0:" marker id at the head of wait/paused), sets by ZCARD.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "queue/layout.h"

namespace opsctl::queue {

// State name -> count, in BullMQ's order; nullopt when the key has the wrong type.
using Counts = std::vector<std::pair<std::string, std::optional<std::int64_t>>>;

Counts get_counts(redis::Client& client, const QueueRef& ref, const QueueShape& shape);

std::int64_t count_of(const Counts& counts, const std::string& state);  // 0 when absent or unknown

}  // namespace opsctl::queue
