#pragma once
// `queue promote`: delayed jobs to waiting now, as Queue.promoteJobs() does (LPUSH wait in due order,
// priority ignored, `delay` kept, `waiting prev delayed` events, ready marker). Ids are read a page
// at a time in score order and each page goes to one script call that re-checks every id.
//
// `job promote`: ids given by the user, each as Job.promote() (priority honoured, delay reset to 0);
// per-id results, refused when the job is not delayed.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "queue/mutation.h"

namespace opsctl::queue {

struct PromoteOptions {
  QueueRef ref;
  std::optional<std::int64_t> limit;  // promote at most this many
  DryRun dry_run = DryRun::no;
  std::size_t page = 1000;            // ids per script call
  std::function<void(std::int64_t)> progress;
};

}  // namespace opsctl::queue
