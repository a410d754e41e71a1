#pragma once
// `job retry`: given jobs, by id, from failed or completed back to waiting with the end state of
// BullMQ's Job.retry(state) (6.4+: a prioritized job goes back to the prioritized set). Each id gets
// its own outcome; one bad id never stops the others.
#include <string>
#include <vector>

#include "queue/mutation.h"

namespace opsctl::queue {

struct JobRetryOptions {
  QueueRef ref;
  std::vector<std::string> ids;  // duplicates are handled once
  ResetAttempts reset = ResetAttempts::no;
};

}  // namespace opsctl::queue
