#pragma once
// `queue retry`: finished jobs (failed or completed) back to waiting with the end state of BullMQ's
// Queue.retryJobs({state, timestamp}), in bounded script calls that re-check every job, so a
// concurrent worker never sees a job in two states and a killed opsctl leaves each job in one.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "mutation/operation.h"
#include "queue/finished_window.h"
#include "queue/mutation.h"

namespace opsctl::queue {

struct QueueRetryOptions {
  QueueRef ref;
  std::string state = "failed";               // failed | completed
  std::optional<std::string> name;            // exact job name
  std::optional<std::string> reason;          // ECMAScript regex, searched in failedReason
  std::optional<std::int64_t> older_than_ms;  // finishedOn (the set's score) <= now - older_than
  std::optional<std::int64_t> since_ms;       // finishedOn >= now - since (see finished_window.h)
  std::optional<std::int64_t> limit;          // at most this many jobs matched
  ResetAttempts reset = ResetAttempts::no;
  std::int64_t now_ms = 0;                    // the cutoff is fixed once, at the start
};

// The score range of the state set the options select.
FinishedWindow retry_window(const QueueRetryOptions& options);

// How a caller's user names an option in an error: "--state" on the command line (flag_error),
// "action queue.retry: argument state" in a runbook.
using OptionError = std::function<Error(const std::string& option, const std::string& what)>;
Error flag_error(const std::string& option, const std::string& what);

// The one check of what a retry is asked, before anything connects: the state, the limit, the
// --since/--older-than window, the --reason expression. Throws usage_error (state and limit named
// through error).
void check_retry_options(const QueueRetryOptions& options, const OptionError& error = flag_error);

// Called with the number of jobs handled so far.
using RetryProgress = mutation::Progress;

}  // namespace opsctl::queue
