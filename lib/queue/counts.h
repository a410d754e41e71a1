#pragma once
// Job counts per state, with the state names of BullMQ's Queue.getJobCounts().
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>


namespace opsctl::queue {

// State name -> count, in BullMQ's order; nullopt when the key has the wrong type.
using Counts = std::vector<std::pair<std::string, std::optional<std::int64_t>>>;

std::int64_t count_of(const Counts& counts, const std::string& state);  // 0 when absent or unknown

}  // namespace opsctl::queue
