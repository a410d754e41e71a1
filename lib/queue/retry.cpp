#include "queue/retry.h"

#include <fmt/format.h>

#include "core/error.h"
#include "queue/job_filter.h"

namespace opsctl::queue {

FinishedWindow retry_window(const QueueRetryOptions& o) { return finished_window(o.now_ms, o.since_ms, o.older_than_ms); }

Error flag_error(const std::string& option, const std::string& what) {
  return usage_error(fmt::format("--{} {}", option, what));
}

void check_retry_options(const QueueRetryOptions& o, const OptionError& error) {
  if (o.state != "failed" && o.state != "completed") {
    throw error("state", fmt::format("must be failed or completed, not '{}'", o.state));
  }
  if (o.limit && *o.limit < 1) throw error("limit", "must be at least 1");
  retry_window(o);
  (void)JobFilter(o);  // compiles --reason
}

}  // namespace opsctl::queue
