#pragma once
// Ctrl-C (SIGINT) and SIGTERM as a request to stop a loop that runs until interrupted (queue inspect
// --watch, opsctl top): the loop checks interrupted() between ticks and ends normally, so the terminal
// is restored and the last line is complete.
#include <chrono>

namespace opsctl::cmd {

// Installs the handlers for the lifetime of the object and restores the previous ones after.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

bool interrupted();

// Sleeps up to d, waking early when interrupted.
void sleep_unless_interrupted(std::chrono::milliseconds d);

}  // namespace opsctl::cmd
