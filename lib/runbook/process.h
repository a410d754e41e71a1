#pragma once
// Running a program for the exec action: argv straight to posix_spawnp (never a shell), stdin from
// /dev/null, stdout and stderr captured up to a bound, a deadline after which the program's whole
// process group gets SIGTERM and, 2 s later, SIGKILL.
#include <chrono>
#include <string>
#include <vector>

namespace opsctl::runbook {

struct ProcessResult {
  int exit_code = -1;     // the exit status, or 128 + signal number when a signal ended it
  int signal = 0;         // the signal that ended it, 0 when it exited
  bool timed_out = false;
  std::string out, err;   // at most max_output bytes each
  bool out_truncated = false, err_truncated = false;
  std::int64_t duration_ms = 0;
};

// Throws Error(critical) naming argv[0] when the program cannot be started (not found, not
// executable) and usage_error for an empty argv.
ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          std::size_t max_output);

}  // namespace opsctl::runbook
